using System.Buffers;
using System.Buffers.Binary;
using ZeroCopy;

namespace MediaServer.Media;

/// <summary>
/// Builds a <see cref="KeyframeIndex"/> for an MP4 (ISO BMFF) file from the sample tables of its first video track:
/// <c>stss</c> (which samples are keyframes), <c>stts</c> (decode durations), <c>ctts</c> (composition offsets, when
/// present), <c>stsc</c> (samples per chunk), <c>stco</c>/<c>co64</c> (chunk offsets), <c>stsz</c> (sample sizes)
/// and <c>mdhd</c> (timescale, duration).
/// </summary>
/// <remarks>
/// A sample's byte offset is its chunk's offset plus the sizes of the samples before it in the chunk; its time is the
/// sum of the <c>stts</c> deltas before it plus its <c>ctts</c> offset. One pass over the samples: O(samples).
/// Fragmented MP4 (<c>moof</c>) and compact sample sizes (<c>stz2</c>) are not indexed.
/// </remarks>
internal static class Mp4KeyframeIndexer
{
    private const long MaxMoovSize = 256L * 1024 * 1024;

    // The most samples indexed: 46 hours at 100 frames a second. A crafted stsz can claim 4 billion samples in a few bytes.
    private const long MaxSamples = 1L << 24;

    /// <summary>Indexes the MP4 held in <paramref name="cache"/>.</summary>
    /// <exception cref="InvalidDataException">The file has no parsable moov or no video track with sample tables.</exception>
    public static KeyframeIndex Build(VideoCache cache)
    {
        // Top-level boxes: ftyp, moov, mdat… in any order (moov first with +faststart, last without).
        Span<byte> header = stackalloc byte[16];
        for (long position = 0; cache.Capacity - position >= 8;)
        {
            int headerLength = (int)Math.Min(16, cache.Capacity - position);
            cache.ReadSlice(position, headerLength).CopyTo(header);
            if (!Mp4Box.TryReadHeader(header[..headerLength], cache.Capacity - position, out uint type, out int headerSize, out long size) || size > cache.Capacity - position)
            {
                throw new InvalidDataException($"top-level box at {position} is malformed");
            }

            if (type == Mp4Box.Moov)
            {
                if (size > MaxMoovSize)
                {
                    throw new InvalidDataException($"moov of {size} bytes exceeds {MaxMoovSize}");
                }

                ReadOnlySequence<byte> moov = cache.ReadSlice(position + headerSize, size - headerSize);
                return BuildFromMoov(moov.IsSingleSegment ? moov.FirstSpan : moov.ToArray(), cache.Capacity);
            }

            position += size;
        }

        throw new InvalidDataException("no moov box");
    }

    /// <summary>Indexes the first video track described by the body of a <c>moov</c> box.</summary>
    /// <param name="moov">The body of the <c>moov</c> box.</param>
    /// <param name="fileSize">The size of the file the samples lie in: a sample past it makes the file invalid.</param>
    /// <exception cref="InvalidDataException">The boxes are malformed, name no video track, or describe samples past the file or more than 2^24 of them.</exception>
    public static KeyframeIndex BuildFromMoov(ReadOnlySpan<byte> moov, long fileSize = long.MaxValue)
    {
        var tracks = new Mp4Box(moov);
        while (tracks.TryReadNext(out uint type, out ReadOnlySpan<byte> trak))
        {
            if (type != Mp4Box.Trak)
            {
                continue;
            }

            ReadOnlySpan<byte> mdia = Mp4Box.Find(trak, Mp4Box.Mdia);
            ReadOnlySpan<byte> hdlr = Mp4Box.Find(mdia, Mp4Box.Hdlr);
            if (hdlr.Length >= 12 && BinaryPrimitives.ReadUInt32BigEndian(hdlr[8..]) == Mp4Box.Vide)
            {
                ReadOnlySpan<byte> stbl = Mp4Box.Find(Mp4Box.Find(mdia, Mp4Box.Minf), Mp4Box.Stbl);
                return BuildFromTrack(Mp4Box.Find(mdia, Mp4Box.Mdhd), stbl, fileSize);
            }
        }

        throw new InvalidDataException("no video track");
    }

    private static KeyframeIndex BuildFromTrack(ReadOnlySpan<byte> mdhd, ReadOnlySpan<byte> stbl, long fileSize)
    {
        ReadMediaHeader(mdhd, out long timescale, out long duration);
        var samples = SampleTables.Read(stbl);
        if (samples.Stsc.Count == 0 || samples.Stts.Count == 0 || timescale == 0)
        {
            throw new InvalidDataException("empty stsc or stts, or zero timescale");
        }

        var times = new List<long>();
        var offsets = new List<long>();
        long decodeTime = WalkSamples(samples, fileSize, times, offsets, out long minTime);
        long frameDuration = MostFrequentDelta(samples.Stts);
        if (duration is 0 or 0xFFFFFFFF)
        {
            duration = decodeTime; // Unknown in mdhd: the sum of the sample durations.
        }

        long[] keyTimes = [.. times];
        for (int i = 0; i < keyTimes.Length; i++)
        {
            keyTimes[i] -= minTime; // The first frame shown is time 0.
        }

        return new KeyframeIndex(timescale, frameDuration, duration, keyTimes, [.. offsets], "MP4");
    }

    /// <summary>The track's timescale and duration from <c>mdhd</c>: version(1) flags(3), then times and timescale, 32- or 64-bit by version.</summary>
    private static void ReadMediaHeader(ReadOnlySpan<byte> mdhd, out long timescale, out long duration)
    {
        Need(mdhd, mdhd.Length > 0 && mdhd[0] == 1 ? 32 : 20, "mdhd");
        bool v1 = mdhd[0] == 1;
        timescale = BinaryPrimitives.ReadUInt32BigEndian(mdhd[(v1 ? 20 : 12)..]);
        duration = v1 ? BinaryPrimitives.ReadInt64BigEndian(mdhd[24..]) : BinaryPrimitives.ReadUInt32BigEndian(mdhd[16..]);
    }

    /// <summary>
    /// Walks the samples chunk by chunk, adding each keyframe's presentation time and byte offset to
    /// <paramref name="times"/> and <paramref name="offsets"/>.
    /// </summary>
    /// <param name="minTime">The earliest presentation time of any sample.</param>
    /// <returns>The decode time after the last sample: the sum of the sample durations.</returns>
    /// <exception cref="InvalidDataException">A sample ends past <paramref name="fileSize"/>.</exception>
    private static long WalkSamples(in SampleTables samples, long fileSize, List<long> times, List<long> offsets, out long minTime)
    {
        Table stts = samples.Stts, stsc = samples.Stsc, ctts = samples.Ctts, stss = samples.Stss, chunkOffsets = samples.ChunkOffsets;
        bool allSync = samples.AllSync, wideOffsets = samples.WideOffsets;
        uint fixedSize = samples.FixedSize;
        ReadOnlySpan<byte> sizes = samples.Sizes;
        long sampleCount = samples.SampleCount;

        long sample = 0, decodeTime = 0;
        minTime = long.MaxValue;
        int sttsEntry = 0, cttsEntry = 0, stssEntry = 0, stscEntry = 0;
        long sttsLeft = stts.UInt(0, 0), cttsLeft = ctts.Count > 0 ? ctts.UInt(0, 0) : 0;
        for (long chunk = 1; chunk <= chunkOffsets.Count && sample < sampleCount; chunk++)
        {
            while (stscEntry + 1 < stsc.Count && chunk >= stsc.UInt(stscEntry + 1, 0))
            {
                stscEntry++;
            }

            long offset = wideOffsets ? chunkOffsets.Long(chunk - 1) : chunkOffsets.UInt(chunk - 1, 0);
            for (long inChunk = stsc.UInt(stscEntry, 4); inChunk > 0 && sample < sampleCount; inChunk--, sample++)
            {
                while (sttsLeft == 0 && sttsEntry + 1 < stts.Count)
                {
                    sttsLeft = stts.UInt(++sttsEntry, 0);
                }

                while (cttsLeft == 0 && cttsEntry + 1 < ctts.Count)
                {
                    cttsLeft = ctts.UInt(++cttsEntry, 0);
                }

                long presentationTime = decodeTime + (ctts.Count > 0 ? ctts.Int(cttsEntry, 4) : 0);
                minTime = Math.Min(minTime, presentationTime);
                while (!allSync && stssEntry < stss.Count && stss.UInt(stssEntry, 0) < sample + 1)
                {
                    stssEntry++;
                }

                if (allSync || (stssEntry < stss.Count && stss.UInt(stssEntry, 0) == sample + 1))
                {
                    times.Add(presentationTime);
                    offsets.Add(offset);
                }

                offset += fixedSize != 0 ? fixedSize : BinaryPrimitives.ReadUInt32BigEndian(sizes[(int)(sample * 4)..]);
                if (offset > fileSize)
                {
                    throw new InvalidDataException($"sample {sample + 1} ends at {offset}, past the file's {fileSize} bytes");
                }

                decodeTime += stts.UInt(sttsEntry, 4);
                sttsLeft--;
                cttsLeft--;
            }
        }

        return decodeTime;
    }

    /// <summary>The most frequent decode delta of <c>stts</c>: the frame duration (constant frame rate, as timecodes assume).</summary>
    private static long MostFrequentDelta(Table stts)
    {
        long frameDuration = 0, mostSamples = -1;
        for (int i = 0; i < stts.Count; i++)
        {
            if (stts.UInt(i, 0) > mostSamples && stts.UInt(i, 4) > 0)
            {
                mostSamples = stts.UInt(i, 0);
                frameDuration = stts.UInt(i, 4);
            }
        }

        return frameDuration;
    }

    private static void Need(ReadOnlySpan<byte> body, long length, string what)
    {
        if (body.Length < length)
        {
            throw new InvalidDataException($"{what} has {body.Length} bytes, needs {length}");
        }
    }

    /// <summary>The sample tables of one track's <c>stbl</c>, read and checked against their own lengths.</summary>
    private readonly ref struct SampleTables
    {
        public Table Stts { get; private init; }          // decode deltas: sample_count(4) sample_delta(4)
        public Table Stsc { get; private init; }          // samples per chunk: first_chunk(4) samples_per_chunk(4) description(4)
        public Table Ctts { get; private init; }          // composition offsets, empty when absent
        public Table Stss { get; private init; }          // keyframe sample numbers, unread when AllSync
        public bool AllSync { get; private init; }        // no stss: every sample is a keyframe
        public Table ChunkOffsets { get; private init; }  // stco, or co64 when WideOffsets
        public bool WideOffsets { get; private init; }    // 64-bit chunk offsets (co64)
        public uint FixedSize { get; private init; }      // every sample's size, or 0 when Sizes lists them
        public ReadOnlySpan<byte> Sizes { get; private init; } // stsz's entry_size(4) per sample when FixedSize is 0
        public long SampleCount { get; private init; }    // at most MaxSamples

        /// <exception cref="InvalidDataException">A table is missing or shorter than it claims, or stsz claims more than <see cref="MaxSamples"/> samples.</exception>
        public static SampleTables Read(ReadOnlySpan<byte> stbl)
        {
            Table stts = Table.Read(Mp4Box.Find(stbl, Mp4Box.Stts), 8, "stts");
            Table stsc = Table.Read(Mp4Box.Find(stbl, Mp4Box.Stsc), 12, "stsc");
            Table ctts = Mp4Box.TryFind(stbl, Mp4Box.Ctts, out ReadOnlySpan<byte> cttsBody) ? Table.Read(cttsBody, 8, "ctts") : default;
            bool allSync = !Mp4Box.TryFind(stbl, Mp4Box.Stss, out ReadOnlySpan<byte> stssBody);
            Table stss = allSync ? default : Table.Read(stssBody, 4, "stss");
            bool wideOffsets = !Mp4Box.TryFind(stbl, Mp4Box.Stco, out ReadOnlySpan<byte> chunkOffsetBody);
            Table chunkOffsets = wideOffsets ? Table.Read(Mp4Box.Find(stbl, Mp4Box.Co64), 8, "co64") : Table.Read(chunkOffsetBody, 4, "stco");

            // stsz: version/flags(4) sample_size(4) sample_count(4) [entry_size(4) x count when sample_size is 0].
            ReadOnlySpan<byte> stsz = Mp4Box.Find(stbl, Mp4Box.Stsz);
            Need(stsz, 12, "stsz");
            uint fixedSize = BinaryPrimitives.ReadUInt32BigEndian(stsz[4..]);
            long sampleCount = BinaryPrimitives.ReadUInt32BigEndian(stsz[8..]);
            ReadOnlySpan<byte> sizes = stsz[12..];
            if (fixedSize == 0)
            {
                Need(sizes, sampleCount * 4, "stsz entries");
            }

            if (sampleCount > MaxSamples)
            {
                throw new InvalidDataException($"stsz claims {sampleCount} samples, more than {MaxSamples}");
            }

            return new SampleTables
            {
                Stts = stts, Stsc = stsc, Ctts = ctts, Stss = stss, AllSync = allSync, ChunkOffsets = chunkOffsets,
                WideOffsets = wideOffsets, FixedSize = fixedSize, Sizes = sizes, SampleCount = sampleCount,
            };
        }
    }

    /// <summary>A full box holding a counted table: version/flags(4), entry_count(4), then fixed-size entries.</summary>
    private readonly ref struct Table
    {
        private readonly ReadOnlySpan<byte> _entries;
        private readonly int _entrySize;

        private Table(ReadOnlySpan<byte> entries, int entrySize, int count)
        {
            _entries = entries;
            _entrySize = entrySize;
            Count = count;
        }

        public int Count { get; }

        public static Table Read(ReadOnlySpan<byte> body, int entrySize, string what)
        {
            Need(body, 8, what);
            long count = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
            Need(body, 8 + (count * entrySize), what);
            return new Table(body[8..], entrySize, (int)count);
        }

        public long UInt(long entry, int field) => BinaryPrimitives.ReadUInt32BigEndian(_entries[(int)((entry * _entrySize) + field)..]);

        public long Int(long entry, int field) => BinaryPrimitives.ReadInt32BigEndian(_entries[(int)((entry * _entrySize) + field)..]);

        public long Long(long entry) => BinaryPrimitives.ReadInt64BigEndian(_entries[(int)(entry * _entrySize)..]);
    }
}
