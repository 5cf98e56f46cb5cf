namespace RtmpRelay.Admin;

/// <summary>
/// A bit rate from a growing byte total: over the time since the previous reading, once that is a second or more
/// (the admin view's sampler reads every second; an API read in between gets the last window's rate).
/// </summary>
internal sealed class RateMeter
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private long _since = -1;
    private long _bytesThen;
    private double? _kbps;

    public double? Kbps(long totalBytes, TimeProvider time)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            if (_since < 0)
            {
                (_since, _bytesThen) = (now, totalBytes);
                return null;
            }
            var elapsed = time.GetElapsedTime(_since, now);
            if (elapsed >= Window)
            {
                _kbps = Math.Round(Math.Max(0, totalBytes - _bytesThen) * 8 / elapsed.TotalMilliseconds, 1); // bits per ms = kbit/s
                (_since, _bytesThen) = (now, totalBytes);
            }
            return _kbps;
        }
    }
}
