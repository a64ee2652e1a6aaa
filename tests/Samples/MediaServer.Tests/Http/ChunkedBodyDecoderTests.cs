using System.Text;
using MediaServer.Http;

namespace MediaServer.Tests.Http;

public sealed class ChunkedBodyDecoderTests
{
    /// <summary>Feeds <paramref name="body"/> in pieces of <paramref name="pieceSize"/> bytes, as a socket would, and collects the payload.</summary>
    private static (byte[] Payload, int Consumed) Decode(byte[] body, int pieceSize)
    {
        var decoder = new ChunkedBodyDecoder();
        var payload = new List<byte>();
        int position = 0;
        for (int guard = 0; !decoder.IsCompleted && position < body.Length; guard++)
        {
            Assert.True(guard < 100_000, "the decoder made no progress");
            int end = Math.Min(body.Length, position + pieceSize);
            if (decoder.IsInData)
            {
                int take = (int)Math.Min(decoder.RemainingInChunk, end - position);
                payload.AddRange(body.AsSpan(position, take));
                decoder.ConsumeData(take);
                position += take;
            }
            else
            {
                position += decoder.ConsumeFraming(body.AsSpan(position, end - position));
            }
        }

        return ([.. payload], position);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public void DecodesPayloadWhateverTheReceiveSizes(int pieceSize)
    {
        byte[] body = Encoding.ASCII.GetBytes("5\r\nhello\r\nA;name=value\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\nNEXT");
        (byte[] payload, int consumed) = Decode(body, pieceSize);

        Assert.Equal("hello0123456789abcdefghijklmnopqrstuvwxyz", Encoding.ASCII.GetString(payload));
        Assert.Equal(body.Length - "NEXT".Length, consumed); // Stops right after the body: pipelined bytes stay.
    }

    [Fact]
    public void SkipsTheTrailerSection()
    {
        byte[] body = Encoding.ASCII.GetBytes("3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n");
        (byte[] payload, int consumed) = Decode(body, 3);

        Assert.Equal("abc", Encoding.ASCII.GetString(payload));
        Assert.Equal(body.Length, consumed);
    }

    [Fact]
    public void StopsAtTheFirstPayloadByteAndReportsTheChunkSize()
    {
        var decoder = new ChunkedBodyDecoder();
        int consumed = decoder.ConsumeFraming("1000\r\nxyz"u8);

        Assert.Equal(6, consumed);
        Assert.True(decoder.IsInData);
        Assert.Equal(0x1000, decoder.RemainingInChunk);
    }

    [Theory]
    [InlineData("\r\n")] // no size
    [InlineData("g\r\n")]
    [InlineData("5\n")] // bare LF
    [InlineData("5\r\nhelloX\r\n")] // no CRLF after the data
    [InlineData("1234567890abcdef0\r\n")] // more than 15 hex digits
    [InlineData("5;ext\u0001\r\n")] // control byte in an extension
    [InlineData("0\r\nX: 1\n\r\n")] // bare LF in the trailer
    public void RejectsMalformedFraming(string body)
    {
        Assert.Throws<InvalidDataException>(() => Decode(Encoding.Latin1.GetBytes(body), 1));
    }

    [Fact]
    public void RejectsAnOverlongSizeLine()
    {
        string body = "5;" + new string('x', ChunkedBodyDecoder.MaxLineLength) + "\r\n";
        Assert.Throws<InvalidDataException>(() => Decode(Encoding.ASCII.GetBytes(body), 100));
    }

    [Fact]
    public void ConsumingMorePayloadThanRemainsThrows()
    {
        var decoder = new ChunkedBodyDecoder();
        decoder.ConsumeFraming("2\r\n"u8);

        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.ConsumeData(3));
    }
}
