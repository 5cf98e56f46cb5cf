namespace RtmpRelay.Protocol.Flv;

/// <summary>What the header of a video message (RTMP type 9, FLV VIDEODATA) says; for logs and diagnostics.</summary>
/// <param name="IsEnhanced">E-RTMP ExVideoTagHeader (high bit of the first byte set).</param>
/// <param name="FrameType">1 key, 2 inter, 3 disposable inter, 4 generated key, 5 info/command; 0 for an empty payload.</param>
/// <param name="CodecId">Legacy codec id (7 AVC, 12 HEVC extension, ...); 0 when enhanced.</param>
/// <param name="FourCc">E-RTMP codec FourCC as a big-endian number ('hvc1' = 0x68766331); 0 when legacy, for a command,
/// or when the header is truncated. For a ManyTracksManyCodecs multitrack message, the first track's FourCC.</param>
/// <param name="PacketType">Legacy AVC/HEVC AVCPacketType, or the E-RTMP VideoPacketType after ModEx and multitrack
/// unwrapping (the tracks' packet type); null when the codec has none, for a command (frame type 5), or when truncated.</param>
/// <param name="IsMultitrack">E-RTMP v2 multitrack message.</param>
/// <param name="Command">Command byte of a frame type 5 message (legacy, or E-RTMP VideoCommand when the packet type
/// is not Metadata): 0 start seek, 1 end seek; else null.</param>
public readonly record struct VideoTagInfo(
    bool IsEnhanced,
    byte FrameType,
    byte CodecId,
    uint FourCc,
    byte? PacketType,
    bool IsMultitrack,
    byte? Command)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        string codec = IsEnhanced ? FlvConstants.FourCcText(FourCc) : $"codec {CodecId}";
        string packet = PacketType is { } p ? $" packet {p}" : "";
        string command = Command is { } c ? $" command {c}" : "";
        string tracks = IsMultitrack ? " multitrack" : "";
        return $"video {codec} frame {FrameType}{packet}{command}{tracks}";
    }
}
