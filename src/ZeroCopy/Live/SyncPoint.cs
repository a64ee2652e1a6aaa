using System.Diagnostics;

namespace ZeroCopy;

/// <summary>
/// A position in a live stream where a new reader may start, and the bytes that reader must be given first.
/// </summary>
/// <remarks>
/// The preamble is for formats whose decoders need context that is not repeated at every sync point (for MPEG-TS, the
/// PAT and PMT packets). It is not part of the stream: a reader that starts at <see cref="Position"/> is handed the
/// preamble's bytes, then the stream's bytes from <see cref="Position"/> on. <b>Ownership:</b> the memory is shared, as
/// it is, by every reader that starts at this sync point, so whoever creates it must never change it afterwards.
/// </remarks>
[DebuggerDisplay("Position = {Position}, Preamble = {Preamble.Length} bytes, PresentationTime = {PresentationTime}")]
public readonly struct SyncPoint
{
    /// <summary>Creates a sync point with no presentation time.</summary>
    /// <param name="position">The stream position of the first byte a new reader gets from the stream; not negative.</param>
    /// <param name="preamble">Bytes to give a new reader before the stream's bytes; empty when none are needed. Never changed afterwards.</param>
    /// <remarks>Kept for binary compatibility with 0.1; the overload with the presentation time covers it.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public SyncPoint(long position, ReadOnlyMemory<byte> preamble)
        : this(position, preamble, presentationTime: null)
    {
    }

    /// <summary>Creates a sync point whose presentation time is known.</summary>
    /// <param name="position">The stream position of the first byte a new reader gets from the stream; not negative.</param>
    /// <param name="preamble">Bytes to give a new reader before the stream's bytes; empty when none are needed. Never changed afterwards.</param>
    /// <param name="presentationTime">
    /// When the sync point is presented, on the stream's own continuous time line (for MPEG-TS, the keyframe's PTS,
    /// unwrapped past the 33-bit clock's period); <see langword="null"/> when the detector does not know it.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public SyncPoint(long position, ReadOnlyMemory<byte> preamble = default, TimeSpan? presentationTime = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        Position = position;
        Preamble = preamble;
        PresentationTime = presentationTime;
    }

    /// <summary>The stream position where a new reader starts.</summary>
    public long Position { get; }

    /// <summary>The bytes a reader starting here must receive first; empty when none.</summary>
    public ReadOnlyMemory<byte> Preamble { get; }

    /// <summary>
    /// When the sync point is presented, on the stream's continuous time line; <see langword="null"/> when the detector
    /// does not know. The live cache's sync point index answers time lookups with it
    /// (<see cref="LiveCache.TryGetSyncPointAtOrBefore"/>).
    /// </summary>
    public TimeSpan? PresentationTime { get; }

    /// <summary>Describes the sync point; never throws.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"SyncPoint Position = {Position}, Preamble = {Preamble.Length} bytes, PresentationTime = {PresentationTime?.ToString() ?? "unknown"}";
}
