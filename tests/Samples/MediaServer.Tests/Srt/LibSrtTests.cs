using System.Net;
using System.Runtime.InteropServices;
using MediaServer.Srt;

namespace MediaServer.Tests.Srt;

// The interop layer on its own: loading, the statistics layout, a caller and a listener on loopback.
public class LibSrtTests
{
    [Fact]
    public void AMissingLibraryGivesOneLineThatSaysWhatToInstall()
    {
        string? failure = LibSrt.Load(["libsrt-that-does-not-exist.so.9"]);

        Assert.Equal("libsrt is not installed (looked for libsrt-that-does-not-exist.so.9): apt-get install libsrt1.5-openssl", failure);
    }

    [Fact]
    public void TheInstalledLibraryLoads()
    {
        Assert.True(LibSrt.TryLoad(out string? failure), failure);
    }

    [Fact]
    public void TheStatisticsStructHasTheSizeOfLibsrt15s()
    {
        Assert.Equal(496, Marshal.SizeOf<LibSrt.Statistics>()); // sizeof(SRT_TRACEBSTATS), srt/srt.h 1.5.1
    }

    [Fact]
    public async Task MessagesFromACallerArriveWholeAndInOrderAndTheStatisticsCountThem()
    {
        Assert.True(LibSrt.TryLoad(out string? failure), failure);
        Assert.True(LibSrt.srt_startup() >= 0);
        try
        {
            using SrtSocket listener = SrtSocket.Create();
            listener.Listen(new IPEndPoint(IPAddress.Loopback, 0), backlog: 1);
            IPEndPoint endPoint = listener.LocalEndPoint;
            using SrtSocket caller = SrtSocket.Create();
            caller.Set(LibSrt.OptionStreamId, "cam", "SRTO_STREAMID");
            Task connect = Task.Run(() => caller.Connect(endPoint));
            SrtSocket? accepted = null;
            await Task.Run(() => accepted = AcceptBlocking(listener)).WaitAsync(TimeSpan.FromSeconds(10));
            await connect.WaitAsync(TimeSpan.FromSeconds(10));
            using SrtSocket server = accepted!;
            Assert.Equal("cam", server.StreamId);
            Assert.True(server.IsConnected);

            byte[][] messages = [.. Enumerable.Range(0, 100).Select(i => Enumerable.Repeat((byte)i, 1316).ToArray())];
            foreach (byte[] message in messages)
            {
                caller.Send(message);
            }

            byte[] buffer = new byte[LibSrt.MaxPayloadSize];
            await Task.Run(() =>
            {
                foreach (byte[] message in messages)
                {
                    int received = LibSrt.srt_recvmsg(server.Id, ref buffer[0], buffer.Length); // blocking socket: waits for each
                    Assert.Equal(message, buffer.AsSpan(0, received).ToArray());
                }
            }).WaitAsync(TimeSpan.FromSeconds(10));

            SrtLinkStatistics statistics = server.GetStatistics();
            Assert.True(statistics.PacketsReceived >= 100, $"{statistics.PacketsReceived} packets counted");
            Assert.True(statistics.BytesReceived >= 100 * 1316, $"{statistics.BytesReceived} bytes counted");
            Assert.Equal(0, statistics.PacketsDropped);
        }
        finally
        {
            _ = LibSrt.srt_cleanup();
        }
    }

    private static SrtSocket AcceptBlocking(SrtSocket listener)
    {
        byte[] address = new byte[128];
        int length = address.Length;
        int id = LibSrt.srt_accept(listener.Id, address, ref length); // a blocking listener: waits for the caller
        return id < 0 ? throw LibSrt.LastError("srt_accept") : SrtSocket.FromAccepted(id);
    }
}
