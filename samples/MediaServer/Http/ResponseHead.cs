using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MediaServer.Http;

/// <summary>
/// Writes a response head (status line and header fields) as ASCII into a buffer the connection owns and reuses:
/// the only bytes of a response the server writes itself. Bodies never pass through it.
/// </summary>
[DebuggerDisplay("{Status} ({_length} bytes)")]
internal sealed class ResponseHead
{
    /// <summary>The Server field every response carries.</summary>
    public const string ServerName = "ZeroCopy-MediaServer";

    private readonly byte[] _buffer;
    private int _length;

    public ResponseHead(int capacity = 4096) => _buffer = new byte[capacity];

    /// <summary>The status of the head being written.</summary>
    public int Status { get; private set; }

    /// <summary>Starts a head: status line, Date and Server. Forgets any head written before.</summary>
    public ResponseHead Start(int status)
    {
        _length = 0;
        Status = status;
        Append("HTTP/1.1 ");
        AppendNumber(status);
        Append(" ");
        Append(HttpStatus.ReasonPhrase(status));
        Append("\r\n");
        Add("Date", HttpDate.Now);
        Add("Server", ServerName);
        return this;
    }

    /// <summary>Adds a header field.</summary>
    /// <exception cref="ArgumentException">The name or value holds CR or LF (response splitting).</exception>
    public ResponseHead Add(string name, string value)
    {
        if (name.AsSpan().ContainsAny('\r', '\n') || value.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException($"header field {name} holds CR or LF", nameof(value));
        }

        Append(name);
        Append(": ");
        Append(value);
        Append("\r\n");
        return this;
    }

    /// <summary>Adds a header field with a numeric value, formatted in place with the invariant culture (no string).</summary>
    /// <param name="name">The field's name.</param>
    /// <param name="value">The value: a length, a count, a time.</param>
    /// <param name="format">A .NET numeric format (<c>0.000</c>), or <see langword="null"/> for the shortest.</param>
    public ResponseHead Add<T>(string name, T value, string? format = null)
        where T : IUtf8SpanFormattable
    {
        Append(name);
        Append(": ");
        AppendNumber(value, format);
        Append("\r\n");
        return this;
    }

    /// <summary>Adds <c>Content-Range: bytes FIRST-LAST/SIZE</c> for <paramref name="range"/> of a representation of <paramref name="size"/> bytes, formatted in place.</summary>
    public ResponseHead AddContentRange(ByteRange range, long size)
    {
        Append("Content-Range: bytes ");
        AppendNumber(range.Offset);
        Append("-");
        AppendNumber(range.Last);
        Append("/");
        AppendNumber(size);
        Append("\r\n");
        return this;
    }

    /// <summary>Ends the head with the blank line and returns it: valid until the next <see cref="Start"/>.</summary>
    public ReadOnlyMemory<byte> Finish()
    {
        Append("\r\n");
        return _buffer.AsMemory(0, _length);
    }

    /// <summary>The head written so far, for tests and logs; never throws.</summary>
    public override string ToString() => Encoding.ASCII.GetString(_buffer, 0, _length);

    private void AppendNumber<T>(T value, string? format = null)
        where T : IUtf8SpanFormattable
    {
        if (!value.TryFormat(_buffer.AsSpan(_length), out int written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"response head exceeds {_buffer.Length} bytes");
        }

        _length += written;
    }

    private void Append(string text)
    {
        if (text.Length > _buffer.Length - _length)
        {
            throw new InvalidOperationException($"response head exceeds {_buffer.Length} bytes");
        }

        _length += Encoding.Latin1.GetBytes(text, _buffer.AsSpan(_length));
    }
}
