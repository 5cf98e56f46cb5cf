using System.Collections.Concurrent;
using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>
/// Finds the peer programs on PATH (plus the sbin folders, where Debian puts nginx). A missing peer fails the test
/// that needs it with a message saying how to install it: interop tests never skip, in CI (CI=true) or locally.
/// </summary>
internal static class PeerBinaries
{
    /// <summary>The nginx-rtmp dynamic module as Debian's libnginx-mod-rtmp installs it.</summary>
    public const string NginxRtmpModulePath = "/usr/lib/nginx/modules/ngx_rtmp_module.so";

    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];
    private static readonly ConcurrentDictionary<string, string> Found = new();
    private static readonly ConcurrentDictionary<string, bool> GstElements = new();

    public static string Ffmpeg => Require("ffmpeg", "ffmpeg");

    public static string Ffprobe => Require("ffprobe", "ffmpeg");

    public static string Nginx => Require("nginx", "nginx-light (or nginx) and libnginx-mod-rtmp");

    public static string Rtmpdump => Require("rtmpdump", "rtmpdump");

    public static string GstLaunch => Require("gst-launch-1.0", "gstreamer1.0-tools");

    public static string GstInspect => Require("gst-inspect-1.0", "gstreamer1.0-tools");

    public static string OpenSsl => Require("openssl", "openssl");

    /// <summary>The nginx binary, after checking that the RTMP module is installed too.</summary>
    public static string NginxWithRtmp
    {
        get
        {
            var nginx = Nginx;
            if (!File.Exists(NginxRtmpModulePath))
            {
                throw Missing($"nginx-rtmp module ({NginxRtmpModulePath})", "libnginx-mod-rtmp");
            }

            return nginx;
        }
    }

    /// <summary>Fails unless each GStreamer element is installed (gst-inspect-1.0 --exists, once per element and run).</summary>
    public static async Task RequireGstElementsAsync(params string[] elements)
    {
        var inspect = GstInspect;
        foreach (var element in elements)
        {
            if (!GstElements.TryGetValue(element, out var exists))
            {
                // The first gst-inspect of a machine builds GStreamer's plug-in registry: allow it time.
                using var probe = ManagedProcess.Start("gst-inspect", inspect, ["--exists", element]);
                exists = await probe.WaitForExitAsync(TimeSpan.FromSeconds(60)) && probe.ExitCode == 0;
                GstElements[element] = exists;
            }

            if (!exists)
            {
                throw Missing($"GStreamer element {element}", "gstreamer1.0-plugins-base/-good/-bad (rtmp2sink, rtmpsink)");
            }
        }
    }

    /// <summary>The full path of <paramref name="program"/> on PATH; fails the test with install advice when it is missing.</summary>
    public static string Require(string program, string debianPackage)
    {
        if (Found.TryGetValue(program, out var path))
        {
            return path;
        }

        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(ExtraDirectories);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return Found[program] = candidate;
            }
        }

        throw Missing(program, debianPackage);
    }

    private static PeerNotFoundException Missing(string what, string debianPackage)
    {
        var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        var where = ci
            ? "CI=true: the CI script must install the peers before the interop tests run."
            : "Interop tests do not skip: install the peers first.";
        return new PeerNotFoundException(
            $"{what} not found: run tests/run which installs the peers (Debian package: {debianPackage}). {where}");
    }
}
