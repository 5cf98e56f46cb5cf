using System.Numerics;

namespace RtmpRelay.LoadTest;

/// <summary>
/// Latencies in microseconds, log-linear buckets: exact below 128 µs, then 64 buckets per power of two (about 1.6 %
/// resolution), so recording is an increment and percentiles need no stored samples. Single writer; merge to combine.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private const int SubBits = 6;
    private readonly long[] _counts = new long[Linear + (63 - 7) * SubBuckets];

    public long Count { get; private set; }
    public long MaxMicroseconds { get; private set; }

    public void Record(long microseconds)
    {
        if (microseconds < 0)
        {
            microseconds = 0; // clocks are the same Stopwatch, so only rounding can make this negative
        }
        _counts[Index(microseconds)]++;
        Count++;
        if (microseconds > MaxMicroseconds)
        {
            MaxMicroseconds = microseconds;
        }
    }

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        MaxMicroseconds = Math.Max(MaxMicroseconds, other.MaxMicroseconds);
    }

    /// <summary>The value at <paramref name="percentile"/> (0..100) in microseconds, or 0 with no samples.</summary>
    public double Percentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Midpoint(i), MaxMicroseconds);
            }
        }
        return MaxMicroseconds;
    }

    private static int Index(long value)
    {
        if (value < Linear)
        {
            return (int)value;
        }
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)value); // >= 7
        var sub = (int)(value >> (msb - SubBits)) & (SubBuckets - 1);
        return Linear + (msb - 7) * SubBuckets + sub;
    }

    private static double Midpoint(int index)
    {
        if (index < Linear)
        {
            return index;
        }
        var msb = (index - Linear) / SubBuckets + 7;
        var sub = (index - Linear) % SubBuckets;
        var width = 1L << (msb - SubBits);
        return (SubBuckets + sub) * width + width / 2.0;
    }
}
