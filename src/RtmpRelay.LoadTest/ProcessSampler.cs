using System.Globalization;
using System.Runtime.InteropServices;

namespace RtmpRelay.LoadTest;

/// <summary>
/// Reads the relay process's CPU time from /proc/PID/stat (fields 14 and 15, utime and stime, in clock ticks) and
/// its resident memory from /proc/PID/status (VmRSS, VmHWM). Works for any process: RtmpRelay or nginx.
/// </summary>
internal sealed class ProcessSampler
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK on Linux
    private readonly double _ticksPerSecond;

    public ProcessSampler(int pid)
    {
        Pid = pid;
        _ticksPerSecond = ClockTicksPerSecond();
    }

    public int Pid { get; }

    public bool IsAlive => File.Exists($"/proc/{Pid}/stat");

    public ProcessSample Sample()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture); // field 14
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture); // field 15
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = ParseKiB(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = ParseKiB(line);
            }
        }
        return new ProcessSample((utime + stime) / _ticksPerSecond, rss, hwm);
    }

    /// <summary>
    /// Restarts VmHWM at the current RSS (writes 5 to /proc/PID/clear_refs; needs the same user or root), so the peak
    /// reported covers the load only, not the idle-connection probe before it. False when not permitted.
    /// </summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ParseKiB(string line) =>
        long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);

    private static double ClockTicksPerSecond()
    {
        try
        {
            var ticks = sysconf(ScClockTicks);
            return ticks > 0 ? ticks : 100;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100; // USER_HZ on every mainstream Linux
        }
    }

    [DllImport("libc", SetLastError = false)]
    private static extern long sysconf(int name);
}
