namespace MediaServer.Srt;

/// <summary>An SRT call failed; <see cref="Code"/> is libsrt's error code (<c>SRT_ERRNO</c>, e.g. 2001: the connection was lost).</summary>
internal sealed class SrtException(int code, string message) : IOException(message)
{
    /// <summary>libsrt's error code.</summary>
    public int Code { get; } = code;

    /// <summary>Whether the link ended (lost, or not connected any more) rather than a call being wrong.</summary>
    public bool IsDisconnect => Code is LibSrt.ErrorConnectionLost or LibSrt.ErrorNoConnection;
}
