using System.Runtime.CompilerServices;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// One test's rig: its folder, the processes it started (disposed in reverse order, whatever happens), and the test
/// output, which receives every process's command line and log when the rig is disposed, so a failing test shows
/// what the relay and the peers said.
/// </summary>
internal sealed class InteropRig : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly List<(IDisposable Owned, Func<string> Describe)> _owned = [];

    private InteropRig(ITestOutputHelper output, string workDirectory)
    {
        _output = output;
        WorkDirectory = workDirectory;
    }

    public string WorkDirectory { get; }

    public static InteropRig Create(ITestOutputHelper output, [CallerMemberName] string testName = "")
    {
        var rig = new InteropRig(output, TestDirectory.Create(testName));
        rig.Log($"work directory: {rig.WorkDirectory}");
        return rig;
    }

    public void Log(string message)
    {
        try
        {
            _output.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {message}");
        }
        catch (InvalidOperationException)
        {
            // The test is over: nowhere to write.
        }
    }

    /// <summary>Starts nginx-rtmp; with <paramref name="tlsFront"/>, also an RTMPS front (TLS with that certificate) before it.</summary>
    public async Task<NginxRtmp> StartNginxAsync(string name = "nginx", PemCertificate? tlsFront = null)
    {
        var nginx = await NginxRtmp.StartAsync(WorkDirectory, name, tlsFront);
        Own(nginx, () => nginx.Describe());
        Log($"{name} listening on 127.0.0.1:{nginx.Port}" + (nginx.TlsPort is { } tls ? $", RTMPS front on 127.0.0.1:{tls}" : ""));
        return nginx;
    }

    /// <summary>Starts an HTTP-only nginx (see <see cref="NginxHttp.StartAsync"/>).</summary>
    public async Task<NginxHttp> StartNginxHttpAsync(string name, string httpBody, Func<string, string> serverBody, Action<string>? prepare = null)
    {
        var nginx = await NginxHttp.StartAsync(WorkDirectory, name, httpBody, serverBody, prepare);
        Own(nginx, nginx.Describe);
        Log($"{name} (http) listening on 127.0.0.1:{nginx.Port}");
        return nginx;
    }

    /// <summary>Starts an HTTP-only nginx serving the authorization callbacks of <see cref="AuthCallbackSite"/>.</summary>
    public async Task<NginxHttp> StartAuthCallbackSiteAsync(string name = "nginx-callback")
    {
        var site = await NginxHttp.StartAsync(WorkDirectory, name, AuthCallbackSite.HttpBody, AuthCallbackSite.ServerBody);
        Own(site, () => AuthCallbackSite.Describe(site));
        Log($"{name} (http, authorization callbacks) listening on 127.0.0.1:{site.Port}");
        return site;
    }

    /// <summary>
    /// Starts a relay; <paramref name="endpoints"/> defaults to plain RTMP only, on a free port. With
    /// <paramref name="settings"/>, the relay starts with that JSON as its reloadable settings file
    /// (<see cref="RelayProcess.SettingsFileName"/>).
    /// </summary>
    public async Task<RelayProcess> StartRelayAsync(
        IEnumerable<(string Name, string Url)> destinations,
        IEnumerable<string>? extraArguments = null,
        RelayEndpoints? endpoints = null,
        string name = "relay",
        string? settings = null)
    {
        var relay = await RelayProcess.StartAsync(WorkDirectory, destinations, extraArguments, endpoints, name, settings);
        Own(relay, () => relay.Describe());
        var e = relay.Endpoints;
        Log($"{name} listening on 127.0.0.1:{relay.Port}" +
            (e.Rtmps is { } s ? $", rtmps {s}" : "") + (e.Rtmpt is { } t ? $", rtmpt {t}" : "") + (e.Rtmpts is { } ts ? $", rtmpts {ts}" : ""));
        return relay;
    }

    public FfmpegPublisher StartFfmpegPublisher(string source, string url, string name = "ffmpeg-publisher", IReadOnlyList<string>? outputOptions = null)
    {
        var publisher = FfmpegPublisher.Start(source, url, WorkDirectory, name, outputOptions);
        Own(publisher, publisher.Describe);
        Log($"{name} publishing to {url}");
        return publisher;
    }

    public async Task<GstPublisher> StartGstPublisherAsync(GstSink sink, string source, string url, IReadOnlyList<string>? sinkProperties = null)
    {
        var publisher = await GstPublisher.StartAsync(sink, source, url, WorkDirectory, sinkProperties);
        Own(publisher, publisher.Describe);
        Log($"GStreamer {sink} publishing to {url}");
        return publisher;
    }

    public FfmpegPlayer StartFfmpegPlayer(string url, TimeSpan maxDuration, string name = "ffmpeg-player", IReadOnlyList<string>? inputOptions = null)
    {
        var player = FfmpegPlayer.Start(url, WorkDirectory, maxDuration, name, inputOptions);
        Own(player, player.Describe);
        Log($"{name} playing {url}");
        return player;
    }

    public RtmpdumpPlayer StartRtmpdump(string url, string name = "rtmpdump")
    {
        var player = RtmpdumpPlayer.Start(url, WorkDirectory, name);
        Own(player, player.Describe);
        Log($"{name} playing {url}");
        return player;
    }

    /// <summary>
    /// Waits (bounded) until nginx has finished recording <paramref name="streamName"/>, lists the recording and
    /// asserts that it passes <see cref="RecordingComparer"/> against <paramref name="expected"/>.
    /// </summary>
    public async Task AssertRecordingMatchesAsync(NginxRtmp nginx, string streamName, MediaListing expected)
    {
        var path = await WaitForRecordingAsync(nginx, streamName);

        var result = RecordingComparer.Compare(expected, await FrameMd5.ListAsync(path));
        Log(result.Report);
        Assert.True(result.Passed, result.Report);
    }

    /// <summary>
    /// Waits (bounded) until nginx has finished recording <paramref name="streamName"/>, lists the recording and
    /// asserts that it passes <see cref="RecordingRunsComparer"/>: the <paramref name="runs"/> one after the other,
    /// each at its own constant offset. Returns the comparison (offsets, gaps) for further checks.
    /// </summary>
    public async Task<RunsComparison> AssertRecordingHoldsRunsAsync(NginxRtmp nginx, string streamName, IReadOnlyList<MediaListing> runs)
    {
        var path = await WaitForRecordingAsync(nginx, streamName);

        var result = RecordingRunsComparer.Compare(runs, await FrameMd5.ListAsync(path));
        Log(result.Report);
        Assert.True(result.Passed, result.Report);
        return result;
    }

    /// <summary>
    /// Waits (bounded) until nginx has finished recording <paramref name="streamName"/>, lists the recording and
    /// asserts that it passes <see cref="SourceRunOracle"/>: one contiguous run of <paramref name="source"/> that starts
    /// on a keyframe and lasts between <paramref name="minDuration"/> and <paramref name="maxDuration"/>.
    /// </summary>
    public async Task AssertRecordingIsSourceRunAsync(NginxRtmp nginx, string streamName, TestMedia source, TimeSpan minDuration, TimeSpan maxDuration)
    {
        var path = await WaitForRecordingAsync(nginx, streamName);

        var keyframes = await KeyframeProbe.VideoKeyframeFlagsAsync(source.Path);
        var result = SourceRunOracle.Check(source.Listing, keyframes, await FrameMd5.ListAsync(path), minDuration, maxDuration);
        Log(result.Report);
        Assert.True(result.Passed, result.Report);
    }

    /// <summary>Waits (bounded, 15 s) until nginx has finished recording <paramref name="streamName"/> and returns the file; fails the test when it does not.</summary>
    public async Task<string> WaitForRecordingAsync(NginxRtmp nginx, string streamName)
    {
        var path = nginx.RecordingPath(streamName);
        var complete = await nginx.WaitForRecordingAsync(streamName, TimeSpan.FromSeconds(15));
        Assert.True(complete,
            $"{nginx.Name} did not finish a recording of {streamName} within 15 s ({path}: {(File.Exists(path) ? $"{new FileInfo(path).Length} bytes" : "absent")}). " +
            $"Recordings there: [{string.Join(", ", Directory.EnumerateFiles(nginx.RecordDirectory).Select(Path.GetFileName))}]\n{nginx.Describe()}");
        return path;
    }

    /// <summary>Lists a player's output and asserts that it passes <see cref="PlayerOracle"/> against <paramref name="source"/>.</summary>
    public async Task AssertPlayerOutputValidAsync(string outputPath, MediaListing source)
    {
        Assert.True(File.Exists(outputPath) && new FileInfo(outputPath).Length > 0, $"The player wrote nothing to {outputPath}.");
        var listing = await FrameMd5.ListAsync(outputPath);
        var keyframe = await KeyframeProbe.FirstVideoPacketIsKeyframeAsync(outputPath);
        var result = PlayerOracle.Check(source, listing, keyframe);
        Log(result.Report);
        Assert.True(result.Passed, result.Report);
    }

    /// <summary>Registers <paramref name="owned"/> for disposal (reverse order) and its description for the test output.</summary>
    public T Own<T>(T owned, Func<string> describe)
        where T : IDisposable
    {
        _owned.Add((owned, describe));
        return owned;
    }

    public ValueTask DisposeAsync()
    {
        // Stop everything first, newest first (publishers and players, then the relay, then nginx), then tell what each one said.
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                _owned[i].Owned.Dispose();
            }
            catch (Exception e)
            {
                Log($"disposing {_owned[i].Owned.GetType().Name} failed: {e.Message}");
            }
        }

        foreach (var (_, describe) in _owned)
        {
            try
            {
                Log("\n" + describe());
            }
            catch (Exception e)
            {
                Log($"(could not describe a process: {e.Message})");
            }
        }

        _owned.Clear();
        TestDirectory.Delete(WorkDirectory);
        return ValueTask.CompletedTask;
    }
}
