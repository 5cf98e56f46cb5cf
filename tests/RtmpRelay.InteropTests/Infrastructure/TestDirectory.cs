using System.Globalization;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// Temporary folders: one root per test run (temp/rtmprelay-interop/&lt;pid&gt;-&lt;time&gt;), one folder per test inside it.
/// A test's folder is deleted when its rig is disposed (its logs are in the test output by then), the root when the test
/// host exits, and roots left by earlier runs whose process is gone at the start of the next run. Set
/// RTMPRELAY_INTEROP_KEEP=1 to keep everything for inspection.
/// </summary>
internal static class TestDirectory
{
    private static readonly Lazy<string> Root = new(CreateRoot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when RTMPRELAY_INTEROP_KEEP=1: nothing is deleted.</summary>
    public static bool Keep => Environment.GetEnvironmentVariable("RTMPRELAY_INTEROP_KEEP") == "1";

    /// <summary>The run's root folder, created on first use.</summary>
    public static string RunRoot => Root.Value;

    /// <summary>A new, empty folder for one test, named after it.</summary>
    public static string Create(string name)
    {
        var safe = new string(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        var path = Path.Combine(RunRoot, $"{safe[..Math.Min(safe.Length, 80)]}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes <paramref name="path"/> and everything in it, unless <see cref="Keep"/>; never throws.</summary>
    public static void Delete(string path)
    {
        if (Keep)
        {
            return;
        }

        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string CreateRoot()
    {
        var parent = Path.Combine(Path.GetTempPath(), "rtmprelay-interop");
        Directory.CreateDirectory(parent);
        SweepAbandonedRoots(parent);

        var root = Path.Combine(parent, $"{Environment.ProcessId}-{DateTime.UtcNow:HHmmss}");
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            ProcessReaper.KillAll();
            Delete(root);
        };
        return root;
    }

    // A root is abandoned when the test host that made it (the pid in its name) is no longer running.
    private static void SweepAbandonedRoots(string parent)
    {
        if (Keep || !Directory.Exists("/proc/self"))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(parent))
        {
            var name = Path.GetFileName(dir);
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
                pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                Delete(dir);
            }
        }
    }
}
