using System.Net;
using System.Text.RegularExpressions;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// The three ways to deploy, checked with the tools an operator uses: the published build started from / with no
/// arguments (the defaults travel with it), the systemd unit through systemd-analyze, and the Kubernetes manifests
/// through kubectl kustomize.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed partial class RelayDeploymentTests(ITestOutputHelper output)
{
    private const int DefaultRtmpPort = 1935;
    private const int DefaultAdminPort = 1985;
    private const int DefaultRtmptPort = 8080;
    private const int SigTerm = 15;
    private const int ImageUser = 1654; // the container image's user (Microsoft's "app")
    private static readonly TimeSpan PublishBuildTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>python3 -c: PR_SET_MDWE with PR_MDWE_REFUSE_EXEC_GAIN (Linux 6.3+, kept across exec), then exec argv[1].</summary>
    private const string DenyWriteExecuteThenExec =
        "import ctypes, os, sys\n" +
        "libc = ctypes.CDLL(None, use_errno=True)\n" +
        "if libc.prctl(65, 1, 0, 0, 0) != 0: sys.exit('prctl(PR_SET_MDWE) failed: errno %d (Linux 6.3 or later is needed)' % ctypes.get_errno())\n" +
        "os.execv(sys.argv[1], sys.argv[1:])\n";

    private static string DeployDirectory => Path.Combine(RepoLayout.RepoRoot, "src", "deploy");

    [Fact]
    public async Task PublishedBuild_NativeAotStartedFromRootAsNonRootWithoutWriteExecute_RelaysOnTheDefaultPorts()
    {
        await using var rig = InteropRig.Create(output);
        foreach (var port in new[] { DefaultRtmpPort, DefaultAdminPort, DefaultRtmptPort })
        {
            Assert.False(await TcpProbe.AcceptsAsync(port), $"Port {port} is already in use on this machine: stop what listens there (a relay started by hand?).");
        }
        var dotnet = PeerBinaries.Require("dotnet", "the .NET 10 SDK");
        PeerBinaries.Require("clang", "clang"); // Native AOT links with it
        var published = Path.Combine(rig.WorkDirectory, "published");
        using (var publish = ManagedProcess.Start("dotnet-publish", dotnet,
                   ["publish", "-c", "Release", Path.Combine(RepoLayout.RepoRoot, "src", "RtmpRelay"), "-o", published, "--nologo"]))
        {
            Assert.True(await publish.WaitForExitAsync(PublishBuildTimeout), "dotnet publish did not finish.");
            Assert.True(publish.ExitCode == 0, $"dotnet publish failed.\n{publish.Describe()}");
        }

        // As in the container image: a non-root user (1654) with no home to write to, no ICU (the chiseled image runs in
        // invariant globalization mode), started from /. And as under the systemd unit's MemoryDenyWriteExecute=yes: the
        // kernel refuses it any writable and executable memory (PR_SET_MDWE), which a JIT build does not survive.
        var environment = CleanEnvironment();
        environment["HOME"] = "/nonexistent";
        environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "true";
        var executable = Path.Combine(published, "RtmpRelay");
        Assert.True(File.Exists(executable) && !File.Exists(Path.Combine(published, "RtmpRelay.dll")), "dotnet publish did not make a Native AOT executable.");
        // Debian's python3: one on PATH may live under root's home (pyenv), which user 1654 cannot read.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : PeerBinaries.Require("python3", "python3");
        List<string> command = [python, "-c", DenyWriteExecuteThenExec, executable];
        if (Environment.UserName == "root")
        {
            command.InsertRange(0, [PeerBinaries.Require("setpriv", "util-linux"), $"--reuid={ImageUser}", $"--regid={ImageUser}", "--clear-groups"]);
        }
        var relay = rig.Own(ManagedProcess.Start("published-relay", command[0], command[1..], workingDirectory: "/",
            logFile: Path.Combine(rig.WorkDirectory, "published-relay.log"), environment: environment), () => "");
        Assert.True(await TcpProbe.WaitUntilAcceptingAsync(DefaultRtmpPort, TimeSpan.FromSeconds(30), () => relay.HasExited),
            $"The published relay does not listen on {DefaultRtmpPort}.\n{relay.Describe()}");

        using (var http = LoopbackHttp.Create())
        {
            using var ready = await http.GetAsync(new Uri($"http://127.0.0.1:{DefaultAdminPort}/readyz"));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        // The default clip (4.5 s, a keyframe each second): a player that joins a second in waits for the next keyframe and
        // still has its 1.5 s of media on a busy machine (with a 3 s clip it could join after the 1 s keyframe and get 1 s).
        var media = await TestMedia.GetAsync();
        var url = $"rtmp://127.0.0.1:{DefaultRtmpPort}/live/deployed";
        var publisher = rig.StartFfmpegPublisher(media.Path, url);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var player = rig.StartFfmpegPlayer(url, TimeSpan.FromSeconds(1.5));
        using (var http = LoopbackHttp.Create())
        {
            // The admin API and metrics of the AOT build: JSON from the source-generated context, prometheus-net.
            var streams = await http.GetStringAsync(new Uri($"http://127.0.0.1:{DefaultAdminPort}/api/v1/streams"));
            Assert.Contains("\"name\":\"deployed\"", streams, StringComparison.Ordinal);
            Assert.Contains("\"videoCodec\":\"H.264\"", streams, StringComparison.Ordinal);
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{DefaultAdminPort}/metrics"));
            Assert.Contains("rtmprelay_received_bytes_total{app=\"live\",stream=\"deployed\"}", metrics, StringComparison.Ordinal);
        }
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "The ffmpeg player had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);

        // The TLS endpoints of appsettings.json name the development certificate, which a published build never makes:
        // that is the one warning.
        var lines = relay.Output.Split('\n');
        Assert.Single(lines, line => line.Contains("TLS endpoints left out", StringComparison.Ordinal));
        Assert.Equal(["warn: RtmpRelay.Hosting.RelayHostBuilderExtensions.LeftOutEndpointsReport[1102]"],
            lines.Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)).Select(line => line.Trim()));
        Assert.Contains($"Content root path: {published}", relay.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(published, "certs", "dev-cert.pem")), "The published build made a development certificate.");

        Assert.True(relay.Signal(SigTerm));
        Assert.Equal(0, await relay.WaitForExitCodeAsync(TimeSpan.FromSeconds(40)));
    }

    [Fact]
    public async Task SystemdUnit_PassesVerifyAndItsSecurityExposureIsAtMost1Point2()
    {
        await using var rig = InteropRig.Create(output);
        var analyze = PeerBinaries.Require("systemd-analyze", "systemd");
        var unit = Path.Combine(rig.WorkDirectory, "rtmp-relay.service");
        var text = await File.ReadAllTextAsync(Path.Combine(DeployDirectory, "systemd", "rtmp-relay.service"));
        // verify checks that ExecStart's program exists: the relay is not installed in /opt here, so a stand-in is.
        var standIn = Path.Combine(rig.WorkDirectory, "opt", "RtmpRelay");
        Directory.CreateDirectory(Path.GetDirectoryName(standIn)!);
        await File.WriteAllTextAsync(standIn, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Assert.Contains("ExecStart=/opt/rtmp-relay/RtmpRelay ", text, StringComparison.Ordinal);
        Assert.Contains("MemoryDenyWriteExecute=yes", text, StringComparison.Ordinal);
        text = text.Replace("ExecStart=/opt/rtmp-relay/RtmpRelay ", $"ExecStart={standIn} ", StringComparison.Ordinal);
        await File.WriteAllTextAsync(unit, text);

        var (verifyCode, verifyOutput) = await RunAsync(analyze, ["verify", unit]);
        Assert.True(verifyCode == 0 && verifyOutput.Trim().Length == 0, $"systemd-analyze verify: exit {verifyCode}\n{verifyOutput}");

        var (securityCode, securityOutput) = await RunAsync(analyze, ["security", "--offline=true", "--threshold=12", unit]);
        var exposure = ExposureLine().Match(securityOutput);
        Assert.True(exposure.Success, securityOutput);
        output.WriteLine(exposure.Value);
        Assert.True(securityCode == 0, $"The unit's exposure is above 1.2: {exposure.Value}");
    }

    [Fact]
    public async Task Kustomization_RendersAHardenedWorkloadWithProbesSecretAndServices()
    {
        await using var rig = InteropRig.Create(output);
        var kubectl = PeerBinaries.Require("kubectl", "kubernetes-client");

        var (code, rendered) = await RunAsync(kubectl, ["kustomize", Path.Combine(DeployDirectory, "k8s")], stdoutOnly: true);

        Assert.True(code == 0, rendered);
        var documents = rendered.Split("\n---\n").ToList();
        string Kind(string kind) => Assert.Single(documents, d => Regex.IsMatch(d, $@"(?m)^kind: {kind}\s*$"));
        var workload = Kind("StatefulSet");
        Assert.Matches(@"(?m)^\s+replicas: ([2-9]|\d\d+)\s*$", workload);
        Assert.Matches(@"(?s)readinessProbe:.{0,120}path: /readyz", workload); // kustomize sorts the keys: httpGet is not first
        Assert.Matches(@"(?s)livenessProbe:.{0,120}path: /healthz", workload);
        Assert.Contains("runAsNonRoot: true", workload, StringComparison.Ordinal);
        Assert.Matches(@"(?s)resources:\s+limits:.*requests:|(?s)resources:\s+requests:.*limits:", workload);
        Assert.Matches(@"(?m)^\s+terminationGracePeriodSeconds: \d+", workload);
        Assert.Contains("fieldPath: metadata.name", workload, StringComparison.Ordinal); // the node id from the pod's name
        Assert.Contains("Relay__Cluster__NodeAddressTemplate", workload, StringComparison.Ordinal);
        Assert.Contains("containerPort: 1935", workload, StringComparison.Ordinal);

        var secret = Kind("Secret");
        var configMap = Kind("ConfigMap");
        var secretName = Regex.Match(secret, @"(?m)^  name: (\S+)").Groups[1].Value;
        var configName = Regex.Match(configMap, @"(?m)^  name: (\S+)").Groups[1].Value;
        Assert.Contains($"secretName: {secretName}", workload, StringComparison.Ordinal);
        Assert.Contains($"name: {configName}", workload, StringComparison.Ordinal);

        var services = documents.Where(d => Regex.IsMatch(d, @"(?m)^kind: Service\s*$")).ToList();
        Assert.Contains(services, s => s.Contains("type: LoadBalancer", StringComparison.Ordinal) && s.Contains("port: 1935", StringComparison.Ordinal));
        Assert.Contains(services, s => s.Contains("clusterIP: None", StringComparison.Ordinal));
    }

    private async Task<(int Code, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, bool stdoutOnly = false)
    {
        using var process = ManagedProcess.Start(Path.GetFileName(program), program, arguments);
        Assert.True(await process.WaitForExitAsync(ToolTimeout), $"{program} did not finish.\n{process.Describe()}");
        output.WriteLine($"{process.CommandLine}: exit {process.ExitCode}\n{ManagedProcess.Tail(process.StandardError, 20)}");
        return (process.ExitCode ?? -1, stdoutOnly ? process.StandardOutput : process.Output);
    }

    /// <summary>The test host's environment without any relay or ASP.NET setting, so only the published defaults apply.</summary>
    private static Dictionary<string, string?> CleanEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("Relay__", StringComparison.OrdinalIgnoreCase) || key.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase))
            {
                environment[key] = null;
            }
        }
        return environment;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: \d+\.\d+ \w+")]
    private static partial Regex ExposureLine();
}
