using System.Diagnostics;

namespace MediaServer.Http;

/// <summary>
/// The framing half of a chunked request body (RFC 9112 section 7.1): chunk-size lines, the CRLF after each chunk's
/// data and the trailer section. It never sees payload: it stops at the first byte of chunk data and reports how many
/// payload bytes follow, so the caller can receive them straight into their destination.
/// </summary>
/// <remarks>
/// Bounded: a size has at most 15 hex digits, a size line with extensions at most <see cref="MaxLineLength"/> bytes, the
/// trailer section at most <see cref="MaxTrailerSize"/> bytes. Violations throw <see cref="InvalidDataException"/>.
/// </remarks>
[DebuggerDisplay("{_state} remaining {_remaining}")]
internal sealed class ChunkedBodyDecoder
{
    public const int MaxLineLength = 1024;
    public const int MaxTrailerSize = 8 * 1024;

    private State _state = State.Size;
    private long _remaining;
    private int _digits;
    private int _lineLength;
    private int _trailerLength;

    private enum State
    {
        Size,
        Extension,
        SizeLineFeed,
        Data,
        DataCarriageReturn,
        DataLineFeed,
        TrailerLineStart,
        TrailerLine,
        TrailerLineFeed,
        FinalLineFeed,
        Done,
    }

    /// <summary>Whether the decoder stands at chunk data: <see cref="RemainingInChunk"/> payload bytes come next.</summary>
    public bool IsInData => _state == State.Data;

    /// <summary>How many payload bytes of the current chunk are still to come (0 outside chunk data).</summary>
    public long RemainingInChunk => _state == State.Data ? _remaining : 0;

    /// <summary>Whether the last chunk and the trailer section have been read: the body is over.</summary>
    public bool IsCompleted => _state == State.Done;

    /// <summary>
    /// Consumes framing bytes from the start of <paramref name="input"/>, stopping at chunk data, at the end of the body,
    /// or when <paramref name="input"/> runs out. O(bytes consumed), no allocation.
    /// </summary>
    /// <param name="input">Bytes that follow what was consumed before.</param>
    /// <returns>How many bytes of <paramref name="input"/> were framing (all of them, unless it stopped early).</returns>
    /// <exception cref="InvalidDataException">The framing is malformed or exceeds a bound.</exception>
    public int ConsumeFraming(ReadOnlySpan<byte> input)
    {
        int i = 0;
        for (; i < input.Length && _state is not (State.Data or State.Done); i++)
        {
            Advance(input[i]);
            CheckBounds();
        }

        return i;
    }

    /// <summary>Moves the state machine one framing byte on.</summary>
    private void Advance(byte b)
    {
        switch (_state)
        {
            case State.Size:
                AdvanceInSize(b);
                break;

            case State.Extension:
                if (b == '\r')
                {
                    _state = State.SizeLineFeed;
                }
                else if (b is < 0x20 and not (byte)'\t' or 0x7F)
                {
                    Fail($"control byte 0x{b:X2} in a chunk extension");
                }

                break;

            case State.SizeLineFeed:
                Expect(b, '\n');
                _state = _remaining == 0 ? State.TrailerLineStart : State.Data;
                _lineLength = 0;
                _digits = 0;
                break;

            case State.DataCarriageReturn:
                Expect(b, '\r');
                _state = State.DataLineFeed;
                break;

            case State.DataLineFeed:
                Expect(b, '\n');
                _state = State.Size;
                break;

            case State.TrailerLineStart:
                _state = b == '\r' ? State.FinalLineFeed : State.TrailerLine;
                break;

            case State.TrailerLine:
                if (b == '\r')
                {
                    _state = State.TrailerLineFeed;
                }
                else if (b == '\n')
                {
                    Fail("bare LF in the trailer section");
                }

                break;

            case State.TrailerLineFeed:
                Expect(b, '\n');
                _state = State.TrailerLineStart;
                break;

            case State.FinalLineFeed:
                Expect(b, '\n');
                _state = State.Done;
                break;
        }
    }

    /// <summary>A byte of the chunk size: a hex digit, or the CR or extension that ends the digits.</summary>
    private void AdvanceInSize(byte b)
    {
        int digit = HexValue(b);
        if (digit >= 0)
        {
            if (++_digits > 15)
            {
                Fail("chunk size has more than 15 hex digits");
            }

            _remaining = (_remaining << 4) | (uint)digit;
        }
        else if (_digits == 0)
        {
            Fail($"chunk size expected, got byte 0x{b:X2}");
        }
        else if (b == '\r')
        {
            _state = State.SizeLineFeed;
        }
        else if (b is (byte)';' or (byte)' ' or (byte)'\t')
        {
            _state = State.Extension;
        }
        else
        {
            Fail($"byte 0x{b:X2} after the chunk size");
        }
    }

    /// <summary>Counts the byte just consumed against the size line's or the trailer section's bound.</summary>
    private void CheckBounds()
    {
        if (_state is State.Size or State.Extension or State.SizeLineFeed && ++_lineLength > MaxLineLength)
        {
            Fail($"chunk size line exceeds {MaxLineLength} bytes");
        }

        if (_state is State.TrailerLine or State.TrailerLineFeed or State.FinalLineFeed && ++_trailerLength > MaxTrailerSize)
        {
            Fail($"trailer section exceeds {MaxTrailerSize} bytes");
        }
    }

    /// <summary>Records that <paramref name="count"/> payload bytes of the current chunk have been delivered.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or exceeds <see cref="RemainingInChunk"/>.</exception>
    public void ConsumeData(long count)
    {
        if ((ulong)count > (ulong)RemainingInChunk)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"only {RemainingInChunk} payload bytes remain in the chunk");
        }

        _remaining -= count;
        if (_state == State.Data && _remaining == 0)
        {
            _state = State.DataCarriageReturn;
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static void Expect(byte actual, char expected)
    {
        if (actual != expected)
        {
            Fail($"expected 0x{(int)expected:X2}, got 0x{actual:X2}");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Fail(string message) => throw new InvalidDataException($"malformed chunked body: {message}");
}
