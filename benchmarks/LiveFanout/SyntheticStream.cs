using System.Buffers.Binary;
using System.Runtime.InteropServices;
using ZeroCopy.Tests.Infrastructure;

/// <summary>
/// The synthetic MPEG-TS, frame by frame: PAT, PMT and one H.264 video PID whose frames are filler bytes. Every
/// <c>framesPerKeyframe</c>-th frame starts with the random-access indicator set and an IDR NAL unit, preceded by PAT
/// and PMT, so servers find sync points exactly as they would in a real stream. Costs almost no CPU to produce, so the
/// ingest's rate is set by the load tool, not by an encoder. Each frame lasts <c>frameDuration</c> of presentation time. Built by the tests' <see cref="TransportStreamBuilder"/>.
/// The last 8 bytes of each frame (filler of its last packet) carry <see cref="StampMagic"/> and the frame's number, so
/// that a client receiving an HLS part knows which frame ends it.
/// </summary>
internal sealed class SyntheticStream(int bytesPerFrame, int framesPerKeyframe, TimeSpan frameDuration)
{
    /// <summary>The first 4 of the 8 bytes that end every frame: "ZCSQ".</summary>
    public const uint StampMagic = 0x5A435351;

    private readonly TransportStreamBuilder _builder = new(audio: false);
    private readonly int _packetsPerFrame = Math.Max(1, bytesPerFrame / TransportStreamBuilder.PacketSize);
    private long _frame;

    public int FramesPerKeyframe => framesPerKeyframe;

    /// <summary>The next frame's packets; valid until the next call.</summary>
    public ReadOnlyMemory<byte> NextFrame()
    {
        long number = _frame++;
        bool keyframe = number % framesPerKeyframe == 0;
        _builder.Clear();
        if (keyframe)
        {
            _builder.Pat().Pmt();
        }

        _builder.NextPts = (long)(number * frameDuration.TotalSeconds * 90_000); // presentation times follow the wall clock
        _builder.Video(keyframe, randomAccessIndicator: keyframe, packets: _packetsPerFrame);
        Span<byte> stamp = MemoryMarshal.AsMemory(_builder.Written).Span[^8..];
        BinaryPrimitives.WriteUInt32BigEndian(stamp, StampMagic);
        BinaryPrimitives.WriteUInt32BigEndian(stamp[4..], (uint)number);
        return _builder.Written;
    }

    /// <summary>The frame number in the last 8 bytes of a part, or -1 when they are not a stamp.</summary>
    public static long FrameOf(ulong lastEightBytes) =>
        (uint)(lastEightBytes >> 32) == StampMagic ? (long)(uint)lastEightBytes : -1;
}
