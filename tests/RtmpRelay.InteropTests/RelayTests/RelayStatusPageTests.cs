using System.Net;
using System.Text.Json;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// The status page (GET / on the admin endpoint) in a real browser, headless Debian chromium driven by Selenium, against
/// a relay that ffmpeg publishes to: it lists the stream, each destination's state as the relay reports it, pauses a
/// destination when its Pause button is clicked, and asks for the admin token when the API wants one. The API, the
/// metrics and the health endpoints are read beside it, as a script would.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayStatusPageTests(ITestOutputHelper output)
{
    /// <summary>Set to 1 to also copy the screenshot to src/RtmpRelay/Admin/status-page.png, the image the README shows.</summary>
    public const string UpdateScreenshotVariable = "RTMPRELAY_UPDATE_SCREENSHOT";

    private const string Stream = "ops";
    private const string Token = "t0ken";

    // Long enough for the browser to start, the page to show both destinations and the pause to take effect while
    // ffmpeg still publishes.
    private static readonly TimeSpan ClipDuration = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ActionTimeout = TimeSpan.FromSeconds(10);

    private static string StreamSelector => $"[data-stream=\"{RelayProcess.Application}/{Stream}\"]";

    private static string DestinationSelector(string name) => $"{StreamSelector} [data-destination=\"{name}\"]";

    [Fact]
    public async Task StatusPage_LiveAndDeadDestinations_ShowsTheirStatesAndPauseButtonPauses()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(ClipDuration);
        var nginx = await rig.StartNginxAsync();
        var closedPort = FreePort.Next(); // free a moment ago; nothing listens there
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a")), ("dead", $"rtmp://127.0.0.1:{closedPort}/live/{{stream}}")],
            RelayPublishTests.RelayLogging);
        var page = relay.Endpoints.AdminBaseAddress;
        rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));
        var browser = StartBrowser(rig);

        browser.Navigate(page);

        await browser.WaitUntilAsync($"the page lists stream {RelayProcess.Application}/{Stream}", PageTimeout, () => browser.IsShown(StreamSelector));
        await WaitForStateAsync(browser, "a", PageTimeout, "live");
        await WaitForStateAsync(browser, "dead", PageTimeout, "retrying", "connecting");
        // Some bitrate samples in a's chart (one a second), so the screenshot shows one.
        await browser.WaitUntilAsync("destination a's bitrate chart holds 8 samples", PageTimeout, () =>
            int.TryParse(browser.Script(
                "var c = document.querySelector(arguments[0]); return c ? c.getAttribute('data-samples') : null;",
                $"{DestinationSelector("a")} canvas") as string, out var samples) && samples >= 8);
        Assert.False(browser.IsShown("#error"), $"The page shows an error: {browser.TextOf("#error")}");
        Assert.False(browser.IsShown("#token-form"), "The page asks for a token, though the relay has none.");
        Assert.True(browser.IsShown($"{DestinationSelector("dead")} .pause"), "Destination dead (retrying) has no Pause button.");
        await AssertApiMetricsAndHealthAsync(page, relay);

        await browser.ClickAsync($"{DestinationSelector("a")} .pause", ActionTimeout);

        await WaitForStateAsync(browser, "a", ActionTimeout, "paused");
        await browser.WaitUntilAsync("destination a shows a Resume button instead of Pause", ActionTimeout, () =>
            browser.IsShown($"{DestinationSelector("a")} .resume") && !browser.IsShown($"{DestinationSelector("a")} .pause"));
        var dead = browser.TextOf($"{DestinationSelector("dead")} .state");
        Assert.True(dead is "retrying" or "connecting", $"Pausing a changed dead's state to {dead}.\n{relay.Describe()}");
        Assert.False(browser.IsShown("#error"), $"The page shows an error after the pause: {browser.TextOf("#error")}");
        Assert.False(relay.HasExited, "The relay exited.");

        SaveScreenshot(rig, browser);
    }

    [Fact]
    public async Task StatusPage_RelayWithAdminToken_AsksForTokenThenListsStream()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(ClipDuration);
        var relay = await rig.StartRelayAsync([], [.. RelayPublishTests.RelayLogging, $"--Relay:Admin:Token={Token}"]);
        rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));
        var browser = StartBrowser(rig);

        browser.Navigate(relay.Endpoints.AdminBaseAddress);

        await browser.WaitUntilAsync("the page shows the token form", PageTimeout, () => browser.IsShown("#token-form"));
        Assert.False(browser.IsShown(StreamSelector), "The page lists the stream before it has the token.");

        // A wrong token first: the relay answers 401 again and the page asks again, saying so.
        await browser.TypeAsync("#token", "wrong", ActionTimeout);
        await browser.ClickAsync("#token-form [type=submit]", ActionTimeout);
        await browser.WaitUntilAsync("the page asks for the token again after a wrong one", PageTimeout, () =>
            browser.IsShown("#token-form") && browser.TextOf("#token-form .hint")?.Contains("not accepted", StringComparison.Ordinal) == true);
        Assert.False(browser.IsShown(StreamSelector), "The page lists the stream with a wrong token.");

        await browser.TypeAsync("#token", Token, ActionTimeout);
        await browser.ClickAsync("#token-form [type=submit]", ActionTimeout);

        await browser.WaitUntilAsync($"the page lists stream {RelayProcess.Application}/{Stream}", PageTimeout, () => browser.IsShown(StreamSelector));
        Assert.False(browser.IsShown("#token-form"), "The token form is still shown after the token was accepted.");
        Assert.False(browser.IsShown("#error"), $"The page shows an error: {browser.TextOf("#error")}");
        Assert.Equal(Token, browser.Script("return sessionStorage.getItem('rtmprelay.admin.token');") as string);
    }

    /// <summary>What the page showed, as the API, the metrics and the health endpoints tell it to a script.</summary>
    private static async Task AssertApiMetricsAndHealthAsync(Uri admin, RelayProcess relay)
    {
        using var http = LoopbackHttp.Create();
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(admin, $"api/v1/streams/{RelayProcess.Application}/{Stream}")));
        var destinations = json.RootElement.GetProperty("destinations").EnumerateArray()
            .ToDictionary(d => d.GetProperty("name").GetString()!, d => d.Clone());
        Assert.Equal("live", destinations["a"].GetProperty("state").GetString());
        Assert.True(destinations["a"].GetProperty("bytesSent").GetInt64() > 0, $"a has sent no bytes.\n{json.RootElement}");
        Assert.Contains(destinations["dead"].GetProperty("state").GetString(), new[] { "retrying", "connecting" });
        Assert.False(string.IsNullOrEmpty(destinations["dead"].GetProperty("lastError").GetString()), $"dead has no lastError.\n{json.RootElement}");

        var metrics = await http.GetStringAsync(new Uri(admin, "metrics"));
        var sent = metrics.Split('\n').FirstOrDefault(line =>
            line.StartsWith("rtmprelay_destination_sent_bytes_total{", StringComparison.Ordinal) && line.Contains("destination=\"a\"", StringComparison.Ordinal));
        Assert.True(sent is not null && double.Parse(sent[(sent.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) > 0,
            $"No bytes counter above 0 for destination a in /metrics: {sent ?? "(none)"}\n{relay.Describe()}");

        foreach (var health in new[] { "healthz", "readyz" })
        {
            using var answer = await http.GetAsync(new Uri(admin, health));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    private static Chromium StartBrowser(InteropRig rig)
    {
        var browser = Chromium.Start(rig.WorkDirectory);
        rig.Own(browser, browser.Describe);
        rig.Log($"{browser.Name} (headless, Selenium) started");
        return browser;
    }

    private static Task WaitForStateAsync(Chromium browser, string destination, TimeSpan timeout, params string[] states) =>
        browser.WaitUntilAsync(
            $"destination {destination} shows state {string.Join(" or ", states)}",
            timeout,
            () => browser.TextOf($"{DestinationSelector(destination)} .state") is { } state && states.Contains(state));

    // bin/<Configuration>/net10.0/status-page.png always; src/RtmpRelay/Admin/status-page.png too when RTMPRELAY_UPDATE_SCREENSHOT=1.
    private static void SaveScreenshot(InteropRig rig, Chromium browser)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "status-page.png");
        browser.SaveScreenshot(path, "body");
        rig.Log($"screenshot: {path}");
        if (Environment.GetEnvironmentVariable(UpdateScreenshotVariable) == "1")
        {
            var docs = Path.Combine(RepoLayout.RepoRoot, "src", "RtmpRelay", "Admin", "status-page.png");
            Directory.CreateDirectory(Path.GetDirectoryName(docs)!);
            File.Copy(path, docs, overwrite: true);
            rig.Log($"screenshot copied to {docs}");
        }
    }
}
