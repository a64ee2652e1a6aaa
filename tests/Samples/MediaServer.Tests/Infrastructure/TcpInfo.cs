using System.Buffers.Binary;
using System.Net.Sockets;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// What the kernel counts on a connection (Linux <c>TCP_INFO</c>): lets a test see how many segments carried a response,
/// which no byte stream shows.
/// </summary>
public static class TcpInfo
{
    private const int IpProtoTcp = 6;      // IPPROTO_TCP
    private const int TcpInfoOption = 11;  // TCP_INFO
    private const int DataSegmentsInOffset = 152; // struct tcp_info.tcpi_data_segs_in (Linux 4.6 and later)

    /// <summary>The segments with data <paramref name="socket"/> has received so far (pure ACKs not counted).</summary>
    public static long DataSegmentsReceived(Socket socket)
    {
        Assert.True(OperatingSystem.IsLinux(), "TCP_INFO's layout is Linux's");
        byte[] info = new byte[256];
        int length = socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info);
        Assert.True(length >= DataSegmentsInOffset + 4, $"TCP_INFO returned {length} bytes, too few for tcpi_data_segs_in");
        return BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(DataSegmentsInOffset));
    }
}
