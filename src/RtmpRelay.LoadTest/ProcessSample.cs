namespace RtmpRelay.LoadTest;

/// <summary>A process's CPU time (user + system, all threads) and memory at one moment, from /proc.</summary>
/// <param name="CpuSeconds">utime + stime.</param>
/// <param name="RssKiB">VmRSS: resident now.</param>
/// <param name="PeakRssKiB">VmHWM: the most ever resident.</param>
internal readonly record struct ProcessSample(double CpuSeconds, long RssKiB, long PeakRssKiB);
