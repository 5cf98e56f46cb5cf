namespace RtmpRelay.Protocol.Flv;

/// <summary>What the header of an audio message (RTMP type 8, FLV AUDIODATA) says; for logs and diagnostics.</summary>
/// <param name="IsEnhanced">E-RTMP ExAudioTagHeader (sound format 9).</param>
/// <param name="SoundFormat">High nibble of the first byte (2 MP3, 10 AAC, 9 E-RTMP, ...); 0 for an empty payload
/// (0 is also "linear PCM, platform endian": check the payload length when it matters).</param>
/// <param name="FourCc">E-RTMP codec FourCC as a big-endian number ('Opus' = 0x4F707573); 0 when legacy or truncated.
/// For a ManyTracksManyCodecs multitrack message, the first track's FourCC.</param>
/// <param name="PacketType">Legacy AACPacketType, or the E-RTMP AudioPacketType after ModEx and multitrack
/// unwrapping; null when the format has none or when truncated.</param>
/// <param name="IsMultitrack">E-RTMP v2 multitrack message.</param>
public readonly record struct AudioTagInfo(
    bool IsEnhanced,
    byte SoundFormat,
    uint FourCc,
    byte? PacketType,
    bool IsMultitrack)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        string codec = IsEnhanced ? FlvConstants.FourCcText(FourCc) : $"format {SoundFormat}";
        string packet = PacketType is { } p ? $" packet {p}" : "";
        string tracks = IsMultitrack ? " multitrack" : "";
        return $"audio {codec}{packet}{tracks}";
    }
}
