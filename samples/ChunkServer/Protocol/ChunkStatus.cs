namespace ChunkServer.Protocol;

/// <summary>The first byte of every response.</summary>
public enum ChunkStatus : byte
{
    /// <summary>The chunk follows: exactly the header's length in bytes.</summary>
    Ok = 0,

    /// <summary>No video has that id. The connection stays open.</summary>
    NotFound = 1,

    /// <summary>The range does not fit in the video; the header's length is the video's size. The connection stays open.</summary>
    OutOfRange = 2,

    /// <summary>The request could not be parsed or breaks a limit; the server closes the connection after this.</summary>
    BadRequest = 3,
}
