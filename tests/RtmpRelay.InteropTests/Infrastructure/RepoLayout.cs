using System.Reflection;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>Where the repository is and which build configuration this test assembly (and so the relay) was built with.</summary>
internal static class RepoLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder holding RtmpRelay.sln, found by walking up from the test assembly's folder.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>
    /// The configuration this assembly was built with: the folder above the target framework folder of its output
    /// path (bin/&lt;Configuration&gt;/net10.0/), else its AssemblyConfiguration attribute, else Debug.
    /// </summary>
    public static string Configuration
    {
        get
        {
            var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            if (tfmDir.Name.StartsWith("net", StringComparison.Ordinal) && tfmDir.Parent is { } configDir && configDir.Parent?.Name == "bin")
            {
                return configDir.Name;
            }

            return typeof(RepoLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c
                ? c
                : "Debug";
        }
    }

    /// <summary>src/RtmpRelay/bin/&lt;Configuration&gt;/net10.0/RtmpRelay.dll.</summary>
    public static string RelayDll => Path.Combine(RepoRoot, "src", "RtmpRelay", "bin", Configuration, "net10.0", "RtmpRelay.dll");

    /// <summary>
    /// A native relay binary to run instead of <see cref="RelayDll"/> (environment RTMPRELAY_RELAY_BINARY), e.g. the
    /// Native AOT build, so the whole interop suite can run against it.
    /// </summary>
    public static string? RelayBinary => Environment.GetEnvironmentVariable("RTMPRELAY_RELAY_BINARY") is { Length: > 0 } binary ? binary : null;

    /// <summary>The program and arguments that start the relay with <paramref name="arguments"/>.</summary>
    public static (string Program, string[] Arguments) RelayCommand(string dotnet, IEnumerable<string> arguments) =>
        RelayBinary is { } binary ? (binary, [.. arguments]) : (dotnet, [RelayDll, .. arguments]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RtmpRelay.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"RtmpRelay.sln not found above {AppContext.BaseDirectory}.");
    }
}
