namespace RtmpRelay.Protocol.Amf;

/// <summary>Conversions between AMF dates (milliseconds since the Unix epoch, UTC) and <see cref="DateTimeOffset"/>.</summary>
internal static class AmfDate
{
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;
    private static readonly long MinTicks = DateTimeOffset.MinValue.UtcTicks;
    private static readonly long MaxTicks = DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>False for NaN, infinities and instants outside <see cref="DateTimeOffset"/>'s range.</summary>
    public static bool TryFromUnixMilliseconds(double milliseconds, out DateTimeOffset value)
    {
        value = default;
        // A coarse bound in doubles first (NaN fails it too) keeps the long arithmetic below from overflowing;
        // the exact range check follows.
        if (!(Math.Abs(milliseconds) < 4e14))
            return false;
        // Whole milliseconds and the fraction are converted separately: tick counts since year 1 exceed
        // double precision, so doing the sum in doubles would lose whole ticks.
        double whole = Math.Floor(milliseconds);
        long ticks = (long)whole * TimeSpan.TicksPerMillisecond
            + (long)Math.Round((milliseconds - whole) * TimeSpan.TicksPerMillisecond)
            + EpochTicks;
        if (ticks < MinTicks || ticks > MaxTicks)
            return false;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    public static double ToUnixMilliseconds(DateTimeOffset value) =>
        (value.UtcTicks - EpochTicks) / (double)TimeSpan.TicksPerMillisecond;
}
