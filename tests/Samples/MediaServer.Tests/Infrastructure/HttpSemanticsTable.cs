using System.Globalization;
using System.Net;

namespace MediaServer.Tests.Infrastructure;

/// <summary>
/// The table of docs/http-semantics.md: one row per kind of request on a video file, with the answer that the media
/// server and ZeroCopy.AspNetCore (through the ASP.NET Core sample) both give. One table, linked into both test projects
/// and run against each server on the same bundled file, so the two cannot drift apart unnoticed.
/// </summary>
public static class HttpSemanticsTable
{
    /// <summary>
    /// The request each row sends and the answer it expects. In the fields and the expectations, <c>{etag}</c> is the
    /// file's current entity tag, <c>{lm}</c> its Last-Modified, <c>{lm-1d}</c> and <c>{lm+1d}</c> a day before and after
    /// it, <c>{size}</c> its length and <c>{size-10}</c> ten bytes before the end.
    /// </summary>
    /// <param name="Method">GET or HEAD.</param>
    /// <param name="Fields">The request's conditional and range fields.</param>
    /// <param name="Status">The status both servers answer.</param>
    /// <param name="ContentRange">The Content-Range sent; <see langword="null"/>: none.</param>
    /// <param name="Body">For 200 and 206: the bytes <c>first-last</c> of the file that make up the (GET) body, whose count is the Content-Length.</param>
    public sealed record Row(string Method, string[] Fields, int Status, string? ContentRange = null, string? Body = null);

    private static readonly Dictionary<string, Row> s_rows = new(StringComparer.Ordinal)
    {
        ["plain GET"] = new("GET", [], 200, Body: "0-{size-1}"),
        ["Range"] = new("GET", ["Range: bytes=0-99"], 206, "bytes 0-99/{size}", "0-99"),
        ["Range ending past the end"] = new("GET", ["Range: bytes={size-10}-99999999"], 206, "bytes {size-10}-{size-1}/{size}", "{size-10}-{size-1}"),
        ["Range starting at the end"] = new("GET", ["Range: bytes={size}-"], 416, "bytes */{size}"),
        ["suffix range"] = new("GET", ["Range: bytes=-100"], 206, "bytes {size-100}-{size-1}/{size}", "{size-100}-{size-1}"),
        ["suffix range of zero"] = new("GET", ["Range: bytes=-0"], 416, "bytes */{size}"),
        ["multiple ranges"] = new("GET", ["Range: bytes=0-9,100-109"], 200, Body: "0-{size-1}"),
        ["malformed Range"] = new("GET", ["Range: bytes=oops"], 200, Body: "0-{size-1}"),
        ["reversed Range"] = new("GET", ["Range: bytes=20-10"], 200, Body: "0-{size-1}"),
        ["Range of another unit"] = new("GET", ["Range: items=0-10"], 200, Body: "0-{size-1}"),
        ["HEAD"] = new("HEAD", [], 200, Body: "0-{size-1}"),
        ["HEAD with Range"] = new("HEAD", ["Range: bytes=10-19"], 206, "bytes 10-19/{size}", "10-19"),
        ["If-None-Match current"] = new("GET", ["If-None-Match: {etag}"], 304),
        ["If-None-Match weak current"] = new("GET", ["If-None-Match: W/{etag}"], 304),
        ["If-None-Match other"] = new("GET", ["If-None-Match: \"nope\""], 200, Body: "0-{size-1}"),
        ["If-None-Match list holding current"] = new("GET", ["If-None-Match: \"nope\", {etag}"], 304),
        ["If-None-Match *"] = new("GET", ["If-None-Match: *"], 304),
        ["If-None-Match current on HEAD"] = new("HEAD", ["If-None-Match: {etag}"], 304),
        ["If-None-Match current with Range"] = new("GET", ["If-None-Match: {etag}", "Range: bytes=0-9"], 304),
        ["If-Match current"] = new("GET", ["If-Match: {etag}"], 200, Body: "0-{size-1}"),
        ["If-Match weak current"] = new("GET", ["If-Match: W/{etag}"], 412),
        ["If-Match other"] = new("GET", ["If-Match: \"nope\""], 412),
        ["If-Match other with Range"] = new("GET", ["If-Match: \"nope\"", "Range: bytes=0-9"], 412),
        ["If-Match *"] = new("GET", ["If-Match: *"], 200, Body: "0-{size-1}"),
        ["If-Match malformed"] = new("GET", ["If-Match: nope"], 200, Body: "0-{size-1}"),
        ["If-Modified-Since before"] = new("GET", ["If-Modified-Since: {lm-1d}"], 200, Body: "0-{size-1}"),
        ["If-Modified-Since equal"] = new("GET", ["If-Modified-Since: {lm}"], 304),
        ["If-Modified-Since after"] = new("GET", ["If-Modified-Since: {lm+1d}"], 304),
        ["If-Modified-Since malformed"] = new("GET", ["If-Modified-Since: yesterday"], 200, Body: "0-{size-1}"),
        ["If-Modified-Since with If-None-Match other"] = new("GET", ["If-None-Match: \"nope\"", "If-Modified-Since: {lm}"], 200, Body: "0-{size-1}"),
        ["If-Unmodified-Since before"] = new("GET", ["If-Unmodified-Since: {lm-1d}"], 412),
        ["If-Unmodified-Since equal"] = new("GET", ["If-Unmodified-Since: {lm}"], 200, Body: "0-{size-1}"),
        ["If-Unmodified-Since malformed"] = new("GET", ["If-Unmodified-Since: yesterday"], 200, Body: "0-{size-1}"),
        ["If-Unmodified-Since before with If-Match current"] = new("GET", ["If-Match: {etag}", "If-Unmodified-Since: {lm-1d}"], 200, Body: "0-{size-1}"),
        ["If-Range strong match"] = new("GET", ["Range: bytes=0-99", "If-Range: {etag}"], 206, "bytes 0-99/{size}", "0-99"),
        ["If-Range weak tag"] = new("GET", ["Range: bytes=0-99", "If-Range: W/{etag}"], 200, Body: "0-{size-1}"),
        ["If-Range date match"] = new("GET", ["Range: bytes=0-99", "If-Range: {lm}"], 206, "bytes 0-99/{size}", "0-99"),
        ["If-Range older date"] = new("GET", ["Range: bytes=0-99", "If-Range: {lm-1d}"], 200, Body: "0-{size-1}"),
        ["If-Range other tag"] = new("GET", ["Range: bytes=0-99", "If-Range: \"nope\""], 200, Body: "0-{size-1}"),
        ["If-Range without Range"] = new("GET", ["If-Range: {etag}"], 200, Body: "0-{size-1}"),
    };

    /// <summary>The rows' names, for a theory's <c>MemberData</c>: one test case per row.</summary>
    public static TheoryData<string> Names => new(s_rows.Keys);

    /// <summary>
    /// The entity tag the one recipe (samples/Shared/Http/FileValidators.cs) gives <paramref name="file"/>, written out
    /// again here so that a change of the recipe is a visible change of both servers' tests.
    /// </summary>
    public static string ExpectedETag(FileInfo file) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds():x}\"");

    /// <summary>The Last-Modified the recipe gives <paramref name="file"/>: its last write time at whole seconds, as an IMF-fixdate.</summary>
    public static string ExpectedLastModified(FileInfo file) =>
        DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeSeconds()).ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Asks the server for the head of <paramref name="path"/> and checks its validators are the recipe's for <paramref name="file"/>.</summary>
    public static async Task CheckValidatorsAsync(IPEndPoint endPoint, string path, string file)
    {
        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(endPoint);
        await connection.SendAsync(RawHttpConnection.Request("HEAD", path));
        RawResponse head = await connection.ReadResponseAsync(isHead: true);

        var info = new FileInfo(file);
        Assert.Equal(ExpectedETag(info), head.Header("ETag"));
        Assert.Equal(ExpectedLastModified(info), head.Header("Last-Modified"));
    }

    /// <summary>
    /// Sends row <paramref name="name"/> for <paramref name="path"/>, the server's URL of <paramref name="file"/>, and checks
    /// the answer: status, Content-Range, Content-Length and body, the validators, and that the connection is still in
    /// step after it (no stray body bytes).
    /// </summary>
    public static async Task CheckAsync(IPEndPoint endPoint, string path, string file, string name)
    {
        Row row = s_rows[name];
        var info = new FileInfo(file);
        byte[] bytes = await File.ReadAllBytesAsync(file);
        string etag = ExpectedETag(info);
        DateTimeOffset lastModified = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeSeconds());
        string Fill(string text) => text
            .Replace("{etag}", etag, StringComparison.Ordinal)
            .Replace("{lm-1d}", Date(lastModified.AddDays(-1)), StringComparison.Ordinal)
            .Replace("{lm+1d}", Date(lastModified.AddDays(1)), StringComparison.Ordinal)
            .Replace("{lm}", Date(lastModified), StringComparison.Ordinal)
            .Replace("{size-100}", Number(bytes.Length - 100), StringComparison.Ordinal)
            .Replace("{size-10}", Number(bytes.Length - 10), StringComparison.Ordinal)
            .Replace("{size-1}", Number(bytes.Length - 1), StringComparison.Ordinal)
            .Replace("{size}", Number(bytes.Length), StringComparison.Ordinal);

        using RawHttpConnection connection = await RawHttpConnection.ConnectAsync(endPoint);
        string[] fields = [.. row.Fields.Select(Fill)];
        await connection.SendAsync(RawHttpConnection.Request(row.Method, path, fields));
        RawResponse response = await connection.ReadResponseAsync(isHead: row.Method == "HEAD");
        string request = $"{row.Method} {path} with [{string.Join(", ", fields)}]";

        Assert.True(row.Status == response.Status, $"{request}: expected {row.Status}, got {response.Status}:\n{response.Head}");
        string? contentRange = response.Headers.TryGetValue("Content-Range", out string? sent) ? sent : null;
        Assert.True(Fill(row.ContentRange ?? string.Empty) == (contentRange ?? string.Empty), $"{request}: expected Content-Range '{row.ContentRange}', got '{contentRange}':\n{response.Head}");
        if (row.Status is 200 or 206 or 304)
        {
            Assert.True(etag == response.Header("ETag"), $"{request}: expected ETag {etag}:\n{response.Head}");
            Assert.True(Date(lastModified) == response.Header("Last-Modified"), $"{request}: expected Last-Modified {Date(lastModified)}:\n{response.Head}");
        }

        if (row.Body is { } body)
        {
            string[] ends = Fill(body).Split('-');
            int first = int.Parse(ends[0], CultureInfo.InvariantCulture);
            int count = int.Parse(ends[1], CultureInfo.InvariantCulture) - first + 1;
            Assert.True(Number(count) == response.Header("Content-Length"), $"{request}: expected Content-Length {count}:\n{response.Head}");
            byte[] expected = row.Method == "HEAD" ? [] : bytes.AsSpan(first, count).ToArray();
            Assert.True(expected.AsSpan().SequenceEqual(response.Body), $"{request}: expected bytes {first}-{first + count - 1} ({expected.Length} bytes), got {response.Body.Length} other bytes");
        }

        // Had the server sent a body it should not have (after a 304 or a HEAD), this reads it as the next head and fails.
        await connection.SendAsync(RawHttpConnection.Request("HEAD", path));
        Assert.Equal(200, (await connection.ReadResponseAsync(isHead: true)).Status);
    }

    private static string Date(DateTimeOffset time) => time.ToString("r", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
