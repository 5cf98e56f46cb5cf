using System.Globalization;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>A stream of a framemd5 listing: its media type, codec, time base and codec configuration (extradata, the sequence header's payload).</summary>
internal sealed record MediaStreamInfo(int Index, string MediaType, string? CodecId, string? TimeBase, int? ExtradataSize, string? ExtradataHash)
{
    public string Extradata => ExtradataHash is null ? "none" : $"{ExtradataSize} bytes, md5 {ExtradataHash}";

    /// <summary><paramref name="value"/> (a timestamp or duration in this stream's time base, "NUM/DEN") as a time span; null when the time base is unknown.</summary>
    public TimeSpan? ToTime(long value)
    {
        var parts = TimeBase?.Split('/');
        if (parts is not [var num, var den] ||
            !long.TryParse(num, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ||
            !long.TryParse(den, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) || n <= 0 || d <= 0)
        {
            return null;
        }

        return TimeSpan.FromTicks((long)Math.Round((decimal)value * n * TimeSpan.TicksPerSecond / d));
    }
}
