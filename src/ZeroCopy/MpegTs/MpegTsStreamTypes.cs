namespace ZeroCopy;

/// <summary>
/// The PMT stream types (ISO/IEC 13818-1, table 2-34, and the registered private values that muxers use) that this
/// library treats as video: the one list that both the live sync point detector and any keyframe index go by.
/// </summary>
/// <remarks>
/// <para>
/// A video stream's keyframes are found by the adaptation field's random-access indicator, which muxers set on the packet
/// that starts a keyframe. For <see cref="H264"/> and <see cref="Hevc"/>, <see cref="MpegTsKeyframeScanner"/> also finds
/// them from the NAL units (an IDR or IRAP picture), for muxers that do not set the indicator. Every other video type
/// here relies on the indicator alone.
/// </para>
/// <para>
/// Stream types not listed (audio, subtitles, data, private streams) are not video. Type 0x80 is not listed: it means
/// MPEG-2 video in some ATSC streams but LPCM audio on Blu-ray, so it cannot be read as video without the registration
/// descriptor.
/// </para>
/// </remarks>
public static class MpegTsStreamTypes
{
    /// <summary>MPEG-1 video (ISO/IEC 11172-2): 0x01.</summary>
    public const byte Mpeg1Video = 0x01;

    /// <summary>MPEG-2 video (ITU-T H.262, ISO/IEC 13818-2): 0x02.</summary>
    public const byte Mpeg2Video = 0x02;

    /// <summary>MPEG-4 Part 2 visual (ISO/IEC 14496-2): 0x10.</summary>
    public const byte Mpeg4Video = 0x10;

    /// <summary>H.264 / AVC (ITU-T H.264, ISO/IEC 14496-10): 0x1B.</summary>
    public const byte H264 = 0x1B;

    /// <summary>H.265 / HEVC (ITU-T H.265, ISO/IEC 23008-2): 0x24.</summary>
    public const byte Hevc = 0x24;

    /// <summary>H.266 / VVC (ITU-T H.266, ISO/IEC 23090-3): 0x33.</summary>
    public const byte Vvc = 0x33;

    /// <summary>AVS video (Chinese GB/T 20090.2, as ffmpeg muxes it): 0x42.</summary>
    public const byte Cavs = 0x42;

    /// <summary>Dirac / VC-2 (SMPTE ST 2042, registered private value): 0xD1.</summary>
    public const byte Dirac = 0xD1;

    /// <summary>VC-1 (SMPTE 421M, registered private value): 0xEA.</summary>
    public const byte Vc1 = 0xEA;

    /// <summary>Whether <paramref name="streamType"/> is one of the video stream types listed here.</summary>
    /// <param name="streamType">A PMT stream_type.</param>
    /// <returns><see langword="true"/> for the video stream types listed on this class.</returns>
    /// <remarks>O(1), no allocation.</remarks>
    public static bool IsVideo(byte streamType) =>
        streamType is Mpeg1Video or Mpeg2Video or Mpeg4Video or H264 or Hevc or Vvc or Cavs or Dirac or Vc1;
}
