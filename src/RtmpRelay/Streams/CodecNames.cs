using RtmpRelay.Protocol.Flv;

namespace RtmpRelay.Streams;

/// <summary>Codec names as operators say them, from FLV and Enhanced RTMP tag headers.</summary>
internal static class CodecNames
{
    public static string Of(VideoTagInfo video) => video.IsEnhanced
        ? FourCc(video.FourCc) switch
        {
            "avc1" => "H.264",
            "hvc1" => "H.265",
            "av01" => "AV1",
            "vp09" => "VP9",
            "vp08" => "VP8",
            var other => other,
        }
        : video.CodecId switch
        {
            7 => "H.264",
            12 => "H.265",
            2 => "Sorenson H.263",
            4 or 5 => "VP6",
            var other => $"codec {other}",
        };

    public static string Of(AudioTagInfo audio) => audio.IsEnhanced
        ? FourCc(audio.FourCc) switch
        {
            "mp4a" => "AAC",
            "Opus" => "Opus",
            "fLaC" => "FLAC",
            "ac-3" => "AC-3",
            "ec-3" => "E-AC-3",
            ".mp3" => "MP3",
            var other => other,
        }
        : audio.SoundFormat switch
        {
            10 => "AAC",
            2 or 14 => "MP3",
            11 => "Speex",
            0 or 3 => "PCM",
            1 => "ADPCM",
            4 or 5 or 6 => "Nellymoser",
            7 => "G.711 A-law",
            8 => "G.711 mu-law",
            var other => $"format {other}",
        };

    private static string FourCc(uint fourCc) => string.Create(4, fourCc, static (chars, value) =>
    {
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((value >> (24 - (8 * i))) & 0xFF);
            chars[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '?';
        }
    });
}
