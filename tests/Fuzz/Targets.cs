using System.Text;
using MediaServer.AccessControl;
using MediaServer.Http;
using MediaServer.Live;
using MediaServer.Media;
using ZeroCopy;

namespace MediaServer.Fuzz;

/// <summary>
/// One fuzz target per parser that reads bytes from outside: each takes any input, must never throw anything but the
/// parser's documented rejection, never hang, and must keep its own invariants (checked here: a violated one throws
/// <see cref="FuzzInvariantException"/>, which the fuzzer records as a crash).
/// </summary>
internal static class Targets
{
    // Created on first use, not in a static constructor: instrumented code must not run before SharpFuzz maps afl's
    // coverage memory (Fuzzer.OutOfProcess.Run), or its first coverage write faults.
    private static HttpLimits? s_limits;
    private static PublishCredentials? s_credentials;
    // A connection's request, recent strings and query dictionary, kept across inputs. Made in the target, not by a
    // static initializer: instrumented code that runs before the fuzzer has mapped its coverage memory crashes.
    private static HttpRequest? s_reused;
    private static RecentStrings? s_strings;
    private static Dictionary<string, string>? s_query;
    private static readonly byte[] s_secret = "a-secret-of-at-least-16-bytes"u8.ToArray();

    /// <summary>The targets by name, as <c>./build.sh fuzz</c> and the corpus folders call them.</summary>
    public static readonly IReadOnlyDictionary<string, Action<ReadOnlyMemory<byte>>> All = new Dictionary<string, Action<ReadOnlyMemory<byte>>>
    {
        ["http-head"] = HttpHead,
        ["range"] = Range,
        ["chunked"] = Chunked,
        ["mp4"] = Mp4,
        ["mpegts"] = MpegTs,
    };

    /// <summary>The request-head parser, on every prefix length a receive could deliver, with the head limit checked.</summary>
    private static void HttpHead(ReadOnlyMemory<byte> input)
    {
        ReadOnlySpan<byte> bytes = input.Span;
        HttpLimits limits = s_limits ??= new HttpLimits { MaxRequestLineLength = 1024, MaxHeadSize = 4096, MaxHeaderCount = 32 };
        HttpParseResult whole = HttpRequestParser.Parse(bytes, limits);
        s_reused ??= new HttpRequest();
        s_strings ??= new RecentStrings();
        s_query ??= new Dictionary<string, string>(StringComparer.Ordinal);
        switch (whole.Status)
        {
            case HttpParseStatus.Complete:
                Check(whole.HeadLength > 0 && whole.HeadLength <= bytes.Length && whole.HeadLength <= limits.MaxHeadSize, $"head length {whole.HeadLength} of {bytes.Length}");
                Check(whole.Request!.Headers.Count <= limits.MaxHeaderCount, "header count over the limit");

                // What the request carries further: a publish credential or a signed viewer URL in its query.
                s_credentials ??= new PublishCredentials(required: true, new Dictionary<string, string> { ["cam1"] = "cam1-key-123" }, s_secret);
                _ = s_credentials.Check("cam1", whole.Request.Query);
                if (RequestTarget.TryParseQuery(whole.Request.Query, out IReadOnlyDictionary<string, string> query) && SignedToken.TryFind(query, out string? expires, out string? token))
                {
                    _ = SignedToken.Verify(s_secret, whole.Request.Path, expires, token, DateTimeOffset.UnixEpoch);
                }

                _ = whole.Request.LoggableTarget;

                // The query read into a connection's dictionary with its recent strings: the same pairs, or malformed alike.
                bool parsed = RequestTarget.TryParseQuery(whole.Request.Query, out IReadOnlyDictionary<string, string> fresh);
                Check(parsed == RequestTarget.TryParseQuery(whole.Request.Query, out IReadOnlyDictionary<string, string> reusedQuery, s_query, s_strings), "the reused query parse disagrees");
                Check(!parsed || (fresh.Count == reusedQuery.Count && fresh.All(pair => reusedQuery.TryGetValue(pair.Key, out string? value) && value == pair.Value)), "the reused query holds other pairs");
                break;
            case HttpParseStatus.Incomplete:
                // The connection waits for more only while there is room for it (issue 11's bug: a full buffer waited).
                Check(bytes.Length < limits.MaxHeadSize, $"incomplete with {bytes.Length} bytes, the limit {limits.MaxHeadSize}");
                break;
            case HttpParseStatus.Invalid:
                Check(whole.ErrorStatus is >= 400 and < 600 && whole.Error is not null, $"invalid without a status: {whole.ErrorStatus}");
                break;
        }

        // A connection's parse (its request refilled, its strings reused from earlier inputs) answers as a fresh one.
        HttpParseResult reused = HttpRequestParser.Parse(bytes, limits, s_reused, s_strings);
        Check(reused.Status == whole.Status && reused.HeadLength == whole.HeadLength && reused.ErrorStatus == whole.ErrorStatus, "the reused parse disagrees");
        if (whole.Status == HttpParseStatus.Complete)
        {
            HttpRequest a = whole.Request!, b = reused.Request!;
            Check((a.Method, a.Target, a.Path, a.Query, a.IsHttp11, a.ContentLength, a.IsChunked) == (b.Method, b.Target, b.Path, b.Query, b.IsHttp11, b.ContentLength, b.IsChunked), "the reused request differs");
            Check(a.Headers.SequenceEqual(b.Headers), "the reused request's fields differ");
        }

        // A head that arrives in two receives parses the same once it is all there; a prefix of it never completes differently.
        int cut = bytes.Length / 2;
        HttpParseResult prefix = HttpRequestParser.Parse(bytes[..cut], limits);
        if (prefix.Status == HttpParseStatus.Complete)
        {
            Check(whole.Status == HttpParseStatus.Complete && whole.HeadLength == prefix.HeadLength, "a prefix completed where the whole did not");
        }
    }

    /// <summary>The Range header: any value against a size taken from the input; a partial range lies inside it.</summary>
    private static void Range(ReadOnlyMemory<byte> input)
    {
        ReadOnlySpan<byte> bytes = input.Span;
        long size = bytes.Length >= 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes) : 1000;
        string header = Encoding.Latin1.GetString(bytes.Length >= 4 ? bytes[4..] : bytes);
        RangeRequest kind = RangeHeader.Evaluate(header, size, out ByteRange range);
        if (kind == RangeRequest.Partial)
        {
            Check(range.Offset >= 0 && range.Length > 0 && range.Offset + range.Length <= size, $"range {range} outside {size}");
            _ = new ResponseHead().Start(HttpStatus.PartialContent).AddContentRange(range, size);
        }

        _ = EntityTag.TryMatchList(header, "\"abc-1\"", useStrongComparison: true, out _);
        _ = EntityTag.TryMatchList(header, "\"abc-1\"", useStrongComparison: false, out _);
        _ = HttpDate.TryParse(header, out _);
    }

    /// <summary>The chunked-body decoder, fed in pieces whose sizes come from the input, with its payload accounting checked.</summary>
    private static void Chunked(ReadOnlyMemory<byte> input)
    {
        ReadOnlySpan<byte> bytes = input.Span;
        var decoder = new ChunkedBodyDecoder();
        int piece = bytes.IsEmpty ? 1 : (bytes[0] % 17) + 1;
        int position = 0;
        try
        {
            while (position < bytes.Length && !decoder.IsCompleted)
            {
                if (decoder.IsInData)
                {
                    int data = (int)Math.Min(decoder.RemainingInChunk, bytes.Length - position);
                    Check(data > 0, "in data with nothing remaining");
                    decoder.ConsumeData(data);
                    position += data;
                }
                else
                {
                    ReadOnlySpan<byte> window = bytes.Slice(position, Math.Min(piece, bytes.Length - position));
                    int consumed = decoder.ConsumeFraming(window);
                    Check((uint)consumed <= (uint)window.Length, $"consumed {consumed} of {window.Length}");
                    Check(consumed > 0 || decoder.IsInData || decoder.IsCompleted, "no progress on framing");
                    position += consumed;
                }
            }
        }
        catch (InvalidDataException)
        {
            // Malformed framing: the documented rejection (400).
        }
    }

    /// <summary>The MP4 box reader and keyframe indexer, over the input as a whole file and as a moov body.</summary>
    private static void Mp4(ReadOnlyMemory<byte> input)
    {
        try
        {
            var walk = new Mp4Box(input.Span);
            int boxes = 0;
            while (walk.TryReadNext(out _, out ReadOnlySpan<byte> body))
            {
                Check(++boxes <= input.Length, "more boxes than bytes");
                _ = Mp4Box.TryFind(body, Mp4Box.Trak, out _);
            }
        }
        catch (InvalidDataException)
        {
            // A box that overruns its parent: the documented rejection.
        }

        Indexed(() => Mp4KeyframeIndexer.BuildFromMoov(input.Span, input.Length));
        Indexed(() => Mp4KeyframeIndexer.Build(CacheOf(input.Span)));
    }

    /// <summary>
    /// The library's programme tracker, then the MPEG-TS keyframe indexer (sample) and the live sync point detector
    /// (library) that follow the programme with it, over the same bytes.
    /// </summary>
    private static void MpegTs(ReadOnlyMemory<byte> input)
    {
        ProgramTracked(input.Span);
        Indexed(() => MpegTsKeyframeIndexer.Build(CacheOf(input.Span)));

        var detector = new MpegTsSyncPointDetector();
        ReadOnlySpan<byte> bytes = input.Span;
        int piece = bytes.IsEmpty ? 1 : (bytes[0] * 7 % 400) + 1;
        long last = -1;
        for (int position = 0; position < bytes.Length; position += piece)
        {
            ReadOnlySpan<byte> data = bytes.Slice(position, Math.Min(piece, bytes.Length - position));
            if (detector.Inspect(position, data, out SyncPoint point))
            {
                // The contract LiveCache enforces (ISyncPointDetector.Inspect): the cache would fault the stream otherwise.
                Check(point.Position > last && point.Position <= position + data.Length && point.Position % MpegTsSyncPointDetector.PacketSize == 0 && point.Position >= point.Preamble.Length,
                    $"sync point {point.Position} (preamble {point.Preamble.Length}) after {last}, data {position}+{data.Length}");
                last = point.Position;
            }
        }
    }

    /// <summary>
    /// <see cref="MpegTsProgramTracker"/> over the input's 188-byte grid (the last, short piece too): every packet's kind
    /// agrees with its PID and the programme as the tracker then knows it, and a known stream always has its PMT.
    /// </summary>
    private static void ProgramTracked(ReadOnlySpan<byte> bytes)
    {
        var program = new MpegTsProgramTracker();
        long damaged = 0;
        for (int offset = 0; offset < bytes.Length; offset += MpegTsPacket.Size)
        {
            MpegTsPacketKind kind = program.Track(bytes[offset..], out MpegTsPacket packet);
            int pid = kind == MpegTsPacketKind.Damaged ? -1 : packet.Pid;
            damaged += kind == MpegTsPacketKind.Damaged ? 1 : 0;
            bool agrees = kind switch
            {
                MpegTsPacketKind.Damaged => packet.Bytes.IsEmpty || packet.TransportError,
                MpegTsPacketKind.Pat => pid == 0 && program.PmtPid >= 0 && program.PatVersion is >= 0 and < 32,
                MpegTsPacketKind.Pmt => pid == program.PmtPid && program.HasStream && program.PmtVersion is >= 0 and < 32,
                MpegTsPacketKind.Table => pid < 0x20 || pid == program.PmtPid,
                MpegTsPacketKind.Stuffing => pid == MpegTsPacket.NullPid,
                MpegTsPacketKind.Stream => pid == program.StreamPid && pid >= 0x20,
                MpegTsPacketKind.OtherStream => pid >= 0x20 && pid != program.StreamPid && pid != program.PmtPid && pid != MpegTsPacket.NullPid,
                _ => false,
            };
            Check(agrees, $"packet {offset / MpegTsPacket.Size} on PID {pid} is {kind} to {program}");
            Check(program.HasStream == program.StreamPid >= 0 && (!program.HasStream || (program.PmtPid >= 0 && program.PmtVersion >= 0)), $"a stream without its tables: {program}");
            _ = program.IsVideo;
        }

        Check(program.DamagedPackets == damaged, $"{program.DamagedPackets} damaged packets counted, {damaged} returned");
    }

    private static void Indexed(Func<KeyframeIndex> build)
    {
        try
        {
            KeyframeIndex index = build();
            Check(index.Count > 0, "an index without keyframes");
        }
        catch (InvalidDataException)
        {
            // Not a file this indexer understands: the documented rejection (the video is served without timecode seeks).
        }
    }

    private static VideoCache CacheOf(ReadOnlySpan<byte> bytes)
    {
        var cache = new VideoCache(Math.Max(bytes.Length, 1));
        cache.Write(0, bytes);
        return cache;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(what);
        }
    }
}

/// <summary>A parser broke one of its own invariants: a finding, reported as a crash.</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
