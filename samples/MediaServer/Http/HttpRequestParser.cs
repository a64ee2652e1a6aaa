using System.Buffers;
using System.Text;

namespace MediaServer.Http;

/// <summary>
/// A strict HTTP/1.1 request-head parser (RFC 9112): request line and header fields only, bounded in size, with no
/// state between calls. Call it with everything received so far; it reports Incomplete until the blank line arrives.
/// </summary>
/// <remarks>
/// Strict means: CRLF line endings only, single spaces in the request line, origin-form targets, token method and
/// field names, no whitespace before a colon, no obsolete line folding, no control characters, exactly one Host in
/// HTTP/1.1, one consistent Content-Length, and Transfer-Encoding only as <c>chunked</c> and never with Content-Length
/// (the request-smuggling cases). Garbage is rejected as soon as the first invalid byte of the request line arrives.
/// </remarks>
internal static class HttpRequestParser
{
    private const int MaxLeadingEmptyLines = 4;

    private static readonly SearchValues<byte> s_tokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Visible ASCII and space: what a request line may contain before its CRLF.
    private static readonly SearchValues<byte> s_requestLineChars = SearchValues.Create(Enumerable.Range(0x20, 0x7F - 0x20).Select(b => (byte)b).ToArray());

    // Field values: visible ASCII, space, tab and obs-text (0x80-0xFF).
    private static readonly SearchValues<byte> s_fieldValueChars =
        SearchValues.Create(Enumerable.Range(0x20, 0x7F - 0x20).Append(0x09).Concat(Enumerable.Range(0x80, 0x80)).Select(b => (byte)b).ToArray());

    /// <summary>Parses the request head at the start of <paramref name="buffer"/>. O(head length), no copy of the buffer.</summary>
    /// <param name="buffer">The bytes received so far on the connection, starting where the request begins.</param>
    /// <param name="limits">The size limits to enforce.</param>
    /// <param name="reuse">A connection's request to refill instead of making a new one; its previous head is lost.</param>
    /// <param name="strings">A connection's recent strings, so that a target or field value sent again is not a new string.</param>
    /// <returns>Incomplete, Complete with the request and the head's length, or Invalid with the status to answer.</returns>
    public static HttpParseResult Parse(ReadOnlySpan<byte> buffer, HttpLimits limits, HttpRequest? reuse = null, RecentStrings? strings = null)
    {
        // RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request line.
        int start = 0;
        while (buffer.Length - start >= 2 && buffer[start] == '\r' && buffer[start + 1] == '\n')
        {
            start += 2;
            if (start > 2 * MaxLeadingEmptyLines)
            {
                return HttpParseResult.Invalid(HttpStatus.BadRequest, "too many empty lines before the request line");
            }
        }

        ReadOnlySpan<byte> rest = buffer[start..];
        int lineEnd = rest.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            HttpParseResult partial = CheckPartialRequestLine(rest, limits);
            return partial.Status == HttpParseStatus.Incomplete && buffer.Length >= limits.MaxHeadSize
                ? HttpParseResult.Invalid(HttpStatus.HeaderFieldsTooLarge, $"request head exceeds {limits.MaxHeadSize} bytes")
                : partial;
        }

        if (lineEnd > limits.MaxRequestLineLength)
        {
            return HttpParseResult.Invalid(HttpStatus.UriTooLong, $"request line of {lineEnd} bytes exceeds {limits.MaxRequestLineLength}");
        }

        if (!TryParseRequestLine(rest[..lineEnd], strings, out string method, out string target, out bool isHttp11, out HttpParseResult error))
        {
            return error;
        }

        // The head ends at the first empty line; with no fields, the request line's CRLF is the first half of it.
        // The limit counts the skipped empty lines too: they sit in the same buffer, so a head that fills the buffer
        // after them must be rejected here, or the connection would wait for bytes it has no room to receive.
        int headEnd = rest[lineEnd..].IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return buffer.Length >= limits.MaxHeadSize
                ? HttpParseResult.Invalid(HttpStatus.HeaderFieldsTooLarge, $"request head exceeds {limits.MaxHeadSize} bytes")
                : HttpParseResult.Incomplete;
        }

        headEnd += lineEnd + 4;
        if (start + headEnd > limits.MaxHeadSize)
        {
            return HttpParseResult.Invalid(HttpStatus.HeaderFieldsTooLarge, $"request head of {start + headEnd} bytes exceeds {limits.MaxHeadSize}");
        }

        HttpRequest request = reuse ?? new HttpRequest();
        List<HttpHeader> headers = request.ClearFields();
        ReadOnlySpan<byte> fields = rest[(lineEnd + 2)..(headEnd - 2)];
        while (!fields.IsEmpty)
        {
            int end = fields.IndexOf("\r\n"u8);
            if (headers.Count == limits.MaxHeaderCount)
            {
                return HttpParseResult.Invalid(HttpStatus.HeaderFieldsTooLarge, $"more than {limits.MaxHeaderCount} header fields");
            }

            if (!TryParseField(fields[..end], strings, out HttpHeader header, out error))
            {
                return error;
            }

            headers.Add(header);
            fields = fields[(end + 2)..];
        }

        if (!TryValidateFraming(headers, isHttp11, out long? contentLength, out bool isChunked, out error))
        {
            return error;
        }

        request.Reset(method, target, isHttp11, contentLength, isChunked, strings);
        return HttpParseResult.Complete(request, start + headEnd);
    }

    // Targets and field names are ASCII (checked before), field values Latin-1: one byte, one char for all three.
    private static string Text(ReadOnlySpan<byte> bytes, RecentStrings? strings) => strings?.Get(bytes) ?? Encoding.Latin1.GetString(bytes);

    private static HttpParseResult CheckPartialRequestLine(ReadOnlySpan<byte> line, HttpLimits limits)
    {
        // Until the CRLF arrives, every byte must still be one a request line can hold (a lone CR may end it).
        ReadOnlySpan<byte> body = line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
        int bad = body.IndexOfAnyExcept(s_requestLineChars);
        if (bad >= 0)
        {
            return HttpParseResult.Invalid(HttpStatus.BadRequest, $"byte 0x{body[bad]:X2} at {bad} cannot appear in a request line");
        }

        return line.Length > limits.MaxRequestLineLength
            ? HttpParseResult.Invalid(HttpStatus.UriTooLong, $"request line exceeds {limits.MaxRequestLineLength} bytes")
            : HttpParseResult.Incomplete;
    }

    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, RecentStrings? strings, out string method, out string target, out bool isHttp11, out HttpParseResult error)
    {
        method = target = string.Empty;
        isHttp11 = false;

        int bad = line.IndexOfAnyExcept(s_requestLineChars);
        if (bad >= 0)
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, $"byte 0x{line[bad]:X2} at {bad} cannot appear in a request line");
            return false;
        }

        int firstSpace = line.IndexOf((byte)' ');
        int lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace || line[(firstSpace + 1)..lastSpace].Contains((byte)' '))
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "request line is not 'method SP target SP version'");
            return false;
        }

        ReadOnlySpan<byte> methodBytes = line[..firstSpace];
        ReadOnlySpan<byte> targetBytes = line[(firstSpace + 1)..lastSpace];
        ReadOnlySpan<byte> version = line[(lastSpace + 1)..];
        if (methodBytes.IndexOfAnyExcept(s_tokenChars) >= 0)
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "method is not a token");
            return false;
        }

        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            isHttp11 = true;
        }
        else if (!version.SequenceEqual("HTTP/1.0"u8))
        {
            bool wellFormed = version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5]) && version[6] == '.' && char.IsAsciiDigit((char)version[7]);
            error = wellFormed
                ? HttpParseResult.Invalid(HttpStatus.VersionNotSupported, $"{Encoding.ASCII.GetString(version)} is not supported")
                : HttpParseResult.Invalid(HttpStatus.BadRequest, "malformed HTTP version");
            return false;
        }

        if (targetBytes.IsEmpty || targetBytes[0] != '/')
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "request target is not in origin form");
            return false;
        }

        method = InternMethod(methodBytes);
        target = Text(targetBytes, strings);
        error = default;
        return true;
    }

    private static bool TryParseField(ReadOnlySpan<byte> line, RecentStrings? strings, out HttpHeader header, out HttpParseResult error)
    {
        header = default;
        if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "obsolete line folding is not accepted");
            return false;
        }

        int colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].IndexOfAnyExcept(s_tokenChars) >= 0)
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "header field name is not a token followed by ':'");
            return false;
        }

        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
        if (value.IndexOfAnyExcept(s_fieldValueChars) >= 0)
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, "header field value holds a control character");
            return false;
        }

        header = new HttpHeader(Text(line[..colon], strings), Text(value, strings));
        error = default;
        return true;
    }

    private static bool TryValidateFraming(List<HttpHeader> headers, bool isHttp11, out long? contentLength, out bool isChunked, out HttpParseResult error)
    {
        contentLength = null;
        isChunked = false;
        int hosts = 0;
        string? transferEncoding = null;
        foreach (HttpHeader header in headers)
        {
            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++;
            }
            else if (header.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                // A list of identical values is tolerated (RFC 9112 section 6.3); anything else is smuggling.
                foreach (string part in header.Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (part.Length is 0 or > 18 || !part.All(char.IsAsciiDigit) || (contentLength is { } previous && previous != long.Parse(part, System.Globalization.CultureInfo.InvariantCulture)))
                    {
                        error = HttpParseResult.Invalid(HttpStatus.BadRequest, "invalid or conflicting Content-Length");
                        return false;
                    }

                    contentLength = long.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            else if (header.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncoding = transferEncoding is null ? header.Value : transferEncoding + "," + header.Value;
            }
        }

        if (isHttp11 && hosts != 1)
        {
            error = HttpParseResult.Invalid(HttpStatus.BadRequest, hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host");
            return false;
        }

        if (transferEncoding is not null)
        {
            if (!isHttp11 || contentLength is not null)
            {
                error = HttpParseResult.Invalid(HttpStatus.BadRequest, "Transfer-Encoding with Content-Length, or in HTTP/1.0");
                return false;
            }

            if (!transferEncoding.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
            {
                error = HttpParseResult.Invalid(HttpStatus.NotImplemented, $"Transfer-Encoding '{transferEncoding}' is not supported (only chunked)");
                return false;
            }

            isChunked = true;
        }

        error = default;
        return true;
    }

    private static string InternMethod(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("PUT"u8) => "PUT",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ => Encoding.ASCII.GetString(method),
    };
}
