using System.Diagnostics;
using System.Security.Cryptography;
using RtmpRelay.InteropTests.Infrastructure;
using RtmpRelay.InteropTests.Oracle;
using RtmpRelay.InteropTests.Peers;
using Xunit.Abstractions;

namespace RtmpRelay.InteropTests.RelayTests;

/// <summary>
/// Publish and play authorization against real encoders and players: keys in the stream name's query
/// (<c>show1?key=SECRET</c>, OBS's stream key field) or in the tcUrl's (<c>live?key=SECRET</c>), an HTTP callback
/// (an nginx answering allow, deny or rename), address ranges, and the ban of an address that fails too often. A
/// refused publisher gets nothing through: the destination (nginx-rtmp) sees no publish of it, and the relay connects
/// no destination for it. An admitted one is relayed bit-exact under the bare stream name (the query is not part of
/// it). No key ever reaches the relay's log, nor the destination.
/// </summary>
[Collection(InteropCollection.Name)]
public sealed class RelayAuthorizationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    // A refused ffmpeg exits within a second or two; one that is let through publishes the clip (4.5 s) and exits 0.
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(15);

    // How long a refused publish is given to reach the destination anyway before the test looks there.
    private static readonly TimeSpan DestinationSettle = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan PlayClipDuration = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan JoinAfter = TimeSpan.FromSeconds(1);

    // Every test runs from 127.0.0.1: a test that is refused on purpose must not depend on the ban's limit (default 5).
    private const string NoBan = "--Relay:Limits:MaxAuthFailures=100";

    private const string Stream = "show1";

    [Fact]
    public async Task Relay_PublishKeyInStreamName_NoKeyAndWrongKeyRefusedRightKeyPassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var wrongKey = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", secret), NoBan]);

        var noKey = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream), "ffmpeg-no-key");
        await AssertPublishRefusedAsync(relay, noKey, Stream, 1);
        var wrong = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={wrongKey}"), "ffmpeg-wrong-key");
        await AssertPublishRefusedAsync(relay, wrong, Stream, 2);
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");

        var right = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={secret}"), "ffmpeg-right-key");

        await AssertPublishedAsync(right);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        AssertNotLogged(relay, nginx, ("the publish key", secret), ("the wrong key", wrongKey));
    }

    [Fact]
    public async Task Relay_PublishKeyInAppOfRtmpAppOption_WrongKeyRefusedRightKeyPassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var wrongKey = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", secret), NoBan]);

        // ffmpeg's rtmp options: the tcUrl becomes rtmp://127.0.0.1:PORT/live?key=KEY, the stream name stays bare.
        var wrong = rig.StartFfmpegPublisher(media.Path, ServerUrl(relay), "ffmpeg-wrong-key", AppOptions(wrongKey, Stream));
        await AssertPublishRefusedAsync(relay, wrong, Stream, 1);
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");

        var right = rig.StartFfmpegPublisher(media.Path, ServerUrl(relay), "ffmpeg-right-key", AppOptions(secret, Stream));

        await AssertPublishedAsync(right);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        AssertNotLogged(relay, nginx, ("the publish key", secret), ("the wrong key", wrongKey));
    }

    [Fact]
    public async Task Relay_PublishKeyInAppOfUrl_RecordingUnderBareNamePassesOracle()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", secret)]);

        // rtmp://HOST:PORT/live?key=KEY/show1: ffmpeg takes "live?key=KEY" as the app (tcUrl .../live?key=KEY) and show1 as the name.
        var publisher = rig.StartFfmpegPublisher(media.Path, $"rtmp://127.0.0.1:{relay.Port}/{RelayProcess.Application}?key={secret}/{Stream}");

        await AssertPublishedAsync(publisher);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        AssertNotLogged(relay, nginx, ("the publish key", secret));
    }

    [Fact]
    public async Task Relay_GstRtmp2SinkPublishesKeyInStreamName_RecordingUnderBareNamePassesOracle() =>
        await GstPublishesWithKey(GstSink.Rtmp2Sink);

    [Fact]
    public async Task Relay_GstRtmp2SinkPublishesWrongKey_RefusedWithBadName()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var wrongKey = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", secret)]);

        // rtmp2sink, unlike ffmpeg 5.1, reports the onStatus code it was refused with.
        var publisher = await rig.StartGstPublisherAsync(GstSink.Rtmp2Sink, media.Path, relay.Url($"{Stream}?key={wrongKey}"));

        var exit = await publisher.WaitForExitAsync(RefusalTimeout);
        Assert.True(exit != 0, $"rtmp2sink with a wrong key exited with 0.\n{publisher.Describe()}\n{relay.Describe()}");
        Assert.True(publisher.Output.Contains("NetStream.Publish.BadName", StringComparison.Ordinal),
            $"rtmp2sink was not refused with NetStream.Publish.BadName.\n{publisher.Describe()}\n{relay.Describe()}");
        Assert.True(await relay.LogContainsAsync($"Publish of {RelayProcess.Application}/{Stream} refused"),
            $"The relay did not log the refusal.\n{relay.Describe()}");
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");
        AssertNotLogged(relay, nginx, ("the wrong key", wrongKey), ("the publish key", secret));
    }

    [Fact]
    public async Task Relay_GstRtmpSinkPublishesKeyInStreamName_RecordingUnderBareNamePassesOracle() =>
        await GstPublishesWithKey(GstSink.RtmpSink);

    [Fact]
    public async Task Relay_PublishCallbackAllows_RecordingPassesOracleAndCallbackGotThePublish()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var site = await rig.StartAuthCallbackSiteAsync();
        var token = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, App($"Publish:Callback:Url={AuthCallbackSite.Url(site, AuthCallbackSite.Allow)}")]);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={token}"));

        await AssertPublishedAsync(publisher);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        var request = AssertOneCallback(site, AuthCallbackSite.Allow, 200);
        AssertCallbackBody(request, site, "publish", Stream, token, relay);
        AssertNotLogged(relay, nginx, ("the key sent to the callback", token));
    }

    [Fact]
    public async Task Relay_PublishCallbackDenies_RefusedAndDestinationUntouched()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var site = await rig.StartAuthCallbackSiteAsync();
        var token = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, App($"Publish:Callback:Url={AuthCallbackSite.Url(site, AuthCallbackSite.Deny)}")]);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={token}"));

        await AssertPublishRefusedAsync(relay, publisher, Stream, 1);
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");
        var request = AssertOneCallback(site, AuthCallbackSite.Deny, 403);
        AssertCallbackBody(request, site, "publish", Stream, token, relay);
        AssertNotLogged(relay, nginx, ("the key sent to the callback", token));
    }

    [Fact]
    public async Task Relay_PublishCallbackRenames_DestinationRecordsNewNameBitExact()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var site = await rig.StartAuthCallbackSiteAsync();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, App($"Publish:Callback:Url={AuthCallbackSite.Url(site, AuthCallbackSite.Rename)}")]);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));

        await AssertPublishedAsync(publisher);
        var renamed = RelayProcess.DestinationStream(AuthCallbackSite.RenamedTo, "a");
        await rig.AssertRecordingMatchesAsync(nginx, renamed, media.Listing);
        AssertOnePublishAt(nginx, renamed);
        var original = RelayProcess.DestinationStream(Stream, "a");
        Assert.True(nginx.PublishCount(original) == 0 && !File.Exists(nginx.RecordingPath(original)),
            $"The destination got the stream under its old name {original} too.\n{nginx.Describe()}");
        var request = AssertOneCallback(site, AuthCallbackSite.Rename, 200);
        AssertCallbackBody(request, site, "publish", Stream, null, relay);
    }

    [Fact]
    public async Task Relay_PublishCallbackUnreachable_Refused()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var closedPort = FreePort.Next(); // nothing listens there: the callback's connection is refused
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, App($"Publish:Callback:Url=http://127.0.0.1:{closedPort}/allow")]);

        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));

        await AssertPublishRefusedAsync(relay, publisher, Stream, 1);
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");
    }

    [Fact]
    public async Task Relay_PublishCallbackSilentPastTimeout_RefusedAfterTheConfiguredTimeout()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var silent = SilentTcpServer.Start();
        rig.Own(silent, silent.Describe);
        rig.Log($"silent callback server on 127.0.0.1:{silent.Port}");
        // Longer than the default (3 s): a relay that ignored the setting would refuse too early.
        var timeout = TimeSpan.FromSeconds(5);
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [
                .. RelayPublishTests.RelayLogging,
                App($"Publish:Callback:Url=http://127.0.0.1:{silent.Port}/allow"),
                App($"Publish:Callback:Timeout={timeout:c}"),
            ]);

        var clock = Stopwatch.StartNew();
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));

        await AssertPublishRefusedAsync(relay, publisher, Stream, 1);
        var took = clock.Elapsed;
        rig.Log($"refused {took.TotalMilliseconds:0} ms after ffmpeg started; {silent.Describe()}");
        Assert.True(silent.AcceptedCount >= 1, $"The relay never called the callback.\n{silent.Describe()}\n{relay.Describe()}");
        Assert.True(took >= timeout - TimeSpan.FromMilliseconds(200),
            $"The publish was refused {took.TotalMilliseconds:0} ms after ffmpeg started, before the callback's {timeout.TotalSeconds:0} s timeout ran out.\n{relay.Describe()}");
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");
    }

    [Fact]
    public async Task Relay_PublishKeysAndDenyingCallback_RightKeyAdmittedWrongKeyRefused()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var site = await rig.StartAuthCallbackSiteAsync();
        var secret = NewSecret();
        var wrongKey = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [
                .. RelayPublishTests.RelayLogging,
                PublishKey("obs", secret),
                App($"Publish:Callback:Url={AuthCallbackSite.Url(site, AuthCallbackSite.Deny)}"),
                NoBan,
            ]);

        var wrong = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={wrongKey}"), "ffmpeg-wrong-key");
        await AssertPublishRefusedAsync(relay, wrong, Stream, 1);
        await AssertDestinationUntouchedAsync(relay, nginx, Stream, "a");
        // Neither the keys nor the callback admitted it: the callback was asked, and said no.
        Assert.Contains(AuthCallbackSite.Requests(site), r => r.Method == "POST" && r.Uri == AuthCallbackSite.Deny && r.Status == 403);

        var right = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={secret}"), "ffmpeg-right-key");

        await AssertPublishedAsync(right);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        rig.Log($"callback requests: {string.Join(" | ", AuthCallbackSite.Requests(site))}");
        AssertNotLogged(relay, nginx, ("the publish key", secret), ("the wrong key", wrongKey));
    }

    [Fact]
    public async Task Relay_PublishFromOutsideAllowFrom_RefusedEvenWithRightKey()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        // Two applications with the same key: "live" allows loopback, "lan" only 10.0.0.0/8 (not the test's 127.0.0.1).
        const string Lan = "lan";
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [
                .. RelayPublishTests.RelayLogging,
                PublishKey("obs", secret),
                App("Publish:AllowFrom:0=127.0.0.0/8"),
                App("Publish:AllowFrom:1=::1/128"),
                $"--Relay:Applications:{Lan}:Publish:Keys:obs={secret}",
                $"--Relay:Applications:{Lan}:Publish:AllowFrom:0=10.0.0.0/8",
                $"--Relay:Applications:{Lan}:Destinations:a:Url=rtmp://127.0.0.1:{nginx.Port}/live/{{stream}}_{Lan}",
            ]);

        var outside = rig.StartFfmpegPublisher(media.Path, $"rtmp://127.0.0.1:{relay.Port}/{Lan}/{Stream}?key={secret}", "ffmpeg-lan");
        var outsideExit = await outside.WaitForExitAsync(RefusalTimeout);
        Assert.True(outsideExit != 0 || outside.ErrorLines.Count > 0,
            $"ffmpeg publishing to {Lan} from 127.0.0.1 (outside 10.0.0.0/8) was not refused (exit code {outsideExit}).\n{outside.Describe()}\n{relay.Describe()}");
        Assert.True(await relay.LogContainsAsync($"Publish of {Lan}/{Stream} refused"),
            $"The relay did not log the refusal of {Lan}/{Stream}.\n{relay.Describe()}");
        await Task.Delay(DestinationSettle);
        var lanStream = $"{Stream}_{Lan}";
        Assert.True(nginx.PublishCount(lanStream) == 0, $"The refused publish reached the destination as {lanStream}.\n{nginx.Describe()}");
        Assert.Empty(relay.ParseLog().ConnectAttempts($"{Lan}/{Stream}", "a"));

        var inside = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={secret}"), "ffmpeg-live");

        await AssertPublishedAsync(inside);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertNotLogged(relay, nginx, ("the publish key", secret));
    }

    [Fact]
    public async Task Relay_AuthFailuresOverLimit_RightKeyTurnedAwayUntilBanTimeEnds()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var wrongKey = NewSecret();
        var banTime = TimeSpan.FromSeconds(2);
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [
                .. RelayPublishTests.RelayLogging,
                PublishKey("obs", secret),
                "--Relay:Limits:MaxAuthFailures=3",
                $"--Relay:Limits:AuthBanTime={banTime:c}",
            ]);

        var sinceThirdFailure = new Stopwatch();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={wrongKey}"), $"ffmpeg-wrong-key-{attempt}");
            var exit = await wrong.WaitForExitAsync(RefusalTimeout);
            if (attempt == 3)
            {
                sinceThirdFailure.Start();
            }

            Assert.True(exit != 0 || wrong.ErrorLines.Count > 0,
                $"Wrong-key publish {attempt} was not refused (exit code {exit}).\n{wrong.Describe()}\n{relay.Describe()}");
            if (attempt <= 3)
            {
                // The first three are refused at publish; the fourth may already find the address banned.
                Assert.True(await relay.LogContainsAsync($"Publish of {RelayProcess.Application}/{Stream} refused", attempt),
                    $"The relay did not log the refusal of wrong-key publish {attempt}.\n{relay.Describe()}");
            }
        }

        rig.Log($"refusals logged after four wrong-key publishes: {relay.LogCount($"Publish of {RelayProcess.Application}/{Stream} refused")}");
        const string Connected = "Connected to application";
        var connectsBefore = relay.LogCount(Connected);
        var bannedStartedAfter = sinceThirdFailure.Elapsed;
        var banned = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={secret}"), "ffmpeg-banned");
        var bannedExit = await banned.WaitForExitAsync(RefusalTimeout);
        var bannedExitedAt = Stopwatch.StartNew();
        Assert.True(bannedStartedAfter < banTime - TimeSpan.FromMilliseconds(300),
            $"Inconclusive: the right-key publish started {bannedStartedAfter.TotalMilliseconds:0} ms after the third failure, too close to the " +
            $"{banTime.TotalSeconds:0} s ban's end (the machine is too slow for this test's timing).");
        Assert.True(bannedExit != 0 || banned.ErrorLines.Count > 0,
            $"A right-key publish {bannedStartedAfter.TotalMilliseconds:0} ms after the third failure was not turned away (exit code {bannedExit}).\n{banned.Describe()}\n{relay.Describe()}");
        await Task.Delay(DestinationSettle);
        // Closed at once: the banned connection never got as far as an RTMP connect.
        Assert.True(relay.LogCount(Connected) == connectsBefore,
            $"The banned connection was let through to connect ({connectsBefore} connects before it, {relay.LogCount(Connected)} after).\n{relay.Describe()}");
        Assert.True(nginx.PublishCount(RelayProcess.DestinationStream(Stream, "a")) == 0,
            $"A publish got through to the destination during the ban.\n{nginx.Describe()}\n{relay.Describe()}");

        var wait = banTime + TimeSpan.FromMilliseconds(500) - bannedExitedAt.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var admitted = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={secret}"), "ffmpeg-after-ban");

        await AssertPublishedAsync(admitted);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), media.Listing);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        AssertNotLogged(relay, nginx, ("the publish key", secret), ("the wrong key", wrongKey));
    }

    [Fact]
    public async Task Relay_PlayKeyRequired_RtmpdumpWithoutKeyRefusedWithKeyPlays()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(PlayClipDuration);
        var publishSecret = NewSecret();
        var playSecret = NewSecret();
        var relay = await rig.StartRelayAsync(
            [],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", publishSecret), PlayKey("viewer", playSecret), NoBan]);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url($"{Stream}?key={publishSecret}"));
        await WaitUntilPublishingAsync(relay, publisher);

        var refused = rig.StartRtmpdump(relay.Url(Stream), "rtmpdump-no-key");
        Assert.True(await refused.TryWaitForExitAsync(RefusalTimeout), $"rtmpdump without a key was not turned away: it still runs.\n{refused.Describe()}");
        await AssertPlayRefusedAsync(relay, refused.OutputPath, Stream, 1, refused.Describe());
        AssertRtmpdumpRefusedByStatus(refused);

        var player = rig.StartRtmpdump(relay.Url($"{Stream}?key={playSecret}"), "rtmpdump-key");

        await AssertPublishedAsync(publisher);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(1.5)), "rtmpdump had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
        AssertNotLogged(relay, null, ("the publish key", publishSecret), ("the play key", playSecret));
    }

    [Fact]
    public async Task Relay_PlayKeyRequired_FfmpegPlayerWithoutKeyRefusedWithKeyPlays()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(PlayClipDuration);
        var playSecret = NewSecret();
        // No publish rule: anyone publishes, only key holders watch.
        var relay = await rig.StartRelayAsync([], [.. RelayPublishTests.RelayLogging, PlayKey("viewer", playSecret), NoBan]);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));
        await WaitUntilPublishingAsync(relay, publisher);

        var refused = rig.StartFfmpegPlayer(relay.Url(Stream), TimeSpan.FromSeconds(2), "ffmpeg-player-no-key");
        Assert.True(await refused.FinishAsync(RefusalTimeout), "The ffmpeg player without a key had to be killed.");
        await AssertPlayRefusedAsync(relay, refused.OutputPath, Stream, 1, refused.Describe());
        Assert.True(refused.ExitCode != 0, $"The ffmpeg player without a key exited with 0.\n{refused.Describe()}");

        var player = rig.StartFfmpegPlayer(relay.Url($"{Stream}?key={playSecret}"), TimeSpan.FromSeconds(2), "ffmpeg-player-key");

        await AssertPublishedAsync(publisher);
        Assert.True(await player.FinishAsync(TimeSpan.FromSeconds(3)), "The ffmpeg player had to be killed.");
        await rig.AssertPlayerOutputValidAsync(player.OutputPath, media.Listing);
        AssertNotLogged(relay, null, ("the play key", playSecret));
    }

    [Fact]
    public async Task Relay_PlayCallbackDenies_RtmpdumpRefusedAndCallbackGotThePlay()
    {
        await using var rig = InteropRig.Create(output);
        var media = await TestMedia.GetAsync(PlayClipDuration);
        var site = await rig.StartAuthCallbackSiteAsync();
        var token = NewSecret();
        var relay = await rig.StartRelayAsync(
            [],
            [.. RelayPublishTests.RelayLogging, App($"Play:Callback:Url={AuthCallbackSite.Url(site, AuthCallbackSite.Deny)}")]);
        var publisher = rig.StartFfmpegPublisher(media.Path, relay.Url(Stream));
        await WaitUntilPublishingAsync(relay, publisher);

        var refused = rig.StartRtmpdump(relay.Url($"{Stream}?key={token}"), "rtmpdump-denied");

        Assert.True(await refused.TryWaitForExitAsync(RefusalTimeout), $"rtmpdump was not turned away: it still runs.\n{refused.Describe()}");
        await AssertPlayRefusedAsync(relay, refused.OutputPath, Stream, 1, refused.Describe());
        AssertRtmpdumpRefusedByStatus(refused);
        var request = AssertOneCallback(site, AuthCallbackSite.Deny, 403);
        AssertCallbackBody(request, site, "play", Stream, token, relay);
        await AssertPublishedAsync(publisher);
        AssertNotLogged(relay, null, ("the key sent to the callback", token));
    }

    private async Task GstPublishesWithKey(GstSink sink)
    {
        await using var rig = InteropRig.Create(output, $"Relay_GstPublishesKeyInStreamName_{sink}");
        var media = await TestMedia.GetAsync();
        var nginx = await rig.StartNginxAsync();
        var secret = NewSecret();
        var relay = await rig.StartRelayAsync(
            [("a", RelayProcess.DestinationUrl(nginx, "a"))],
            [.. RelayPublishTests.RelayLogging, PublishKey("obs", secret)]);

        var publisher = await rig.StartGstPublisherAsync(sink, media.Path, relay.Url($"{Stream}?key={secret}"));

        var exit = await publisher.WaitForExitAsync(PublishTimeout);
        Assert.True(exit == 0, $"GStreamer {sink} exited with {exit}.\n{publisher.Describe()}\n{relay.Describe()}");
        var sent = await FrameMd5.ListAsync(publisher.SentPath);
        await rig.AssertRecordingMatchesAsync(nginx, RelayProcess.DestinationStream(Stream, "a"), sent);
        AssertOnePublishAt(nginx, RelayProcess.DestinationStream(Stream, "a"));
        AssertNotLogged(relay, nginx, ("the publish key", secret));
    }

    /// <summary>128 random bits as 32 lowercase hex digits: a key no log holds by chance.</summary>
    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>--Relay:Applications:live:SETTING.</summary>
    private static string App(string setting) => $"--Relay:Applications:{RelayProcess.Application}:{setting}";

    private static string PublishKey(string label, string key) => App($"Publish:Keys:{label}={key}");

    private static string PlayKey(string label, string key) => App($"Play:Keys:{label}={key}");

    /// <summary>rtmp://127.0.0.1:PORT/: the server alone, the app and stream name coming from <see cref="AppOptions"/>.</summary>
    private static string ServerUrl(RelayProcess relay) => $"rtmp://127.0.0.1:{relay.Port}/";

    /// <summary>ffmpeg's rtmp protocol options for app live?key=KEY and stream name <paramref name="stream"/>.</summary>
    private static string[] AppOptions(string key, string stream) =>
        ["-rtmp_app", $"{RelayProcess.Application}?key={key}", "-rtmp_playpath", stream];

    private static async Task AssertPublishedAsync(FfmpegPublisher publisher)
    {
        var exit = await publisher.WaitForExitAsync(PublishTimeout);
        Assert.True(exit == 0, $"The publisher exited with {exit}.\n{publisher.Describe()}");
        Assert.True(publisher.ErrorLines.Count == 0, $"The publisher logged errors:\n{string.Join('\n', publisher.ErrorLines)}");
    }

    /// <summary>
    /// ffmpeg was refused: it exits non-zero or logs an error (5.1 prints "Server error: DESCRIPTION" for an onStatus
    /// error), and the relay logs the refusal (the <paramref name="times"/>-th of <paramref name="stream"/>).
    /// </summary>
    private static async Task AssertPublishRefusedAsync(RelayProcess relay, FfmpegPublisher publisher, string stream, int times)
    {
        var exit = await publisher.WaitForExitAsync(RefusalTimeout);
        Assert.True(exit != 0 || publisher.ErrorLines.Count > 0,
            $"ffmpeg publishing {stream} was not refused (exit code {exit}, no error).\n{publisher.Describe()}\n{relay.Describe()}");
        var refusal = $"Publish of {RelayProcess.Application}/{stream} refused";
        Assert.True(await relay.LogContainsAsync(refusal, times),
            $"The relay logged \"{refusal}\" {relay.LogCount(refusal)} times, expected {times}.\n{publisher.Describe()}\n{relay.Describe()}");
    }

    /// <summary>No destination was contacted for <paramref name="stream"/>: the relay never connected one, and nginx saw no publish or recording of it.</summary>
    private static async Task AssertDestinationUntouchedAsync(RelayProcess relay, NginxRtmp nginx, string stream, string destination)
    {
        await Task.Delay(DestinationSettle);
        var attempts = relay.ParseLog().ConnectAttempts($"{RelayProcess.Application}/{stream}", destination);
        Assert.True(attempts.Count == 0,
            $"The relay connected destination {destination} for a refused publish of {stream}:\n{string.Join('\n', attempts)}\n{relay.Describe()}");
        var name = RelayProcess.DestinationStream(stream, destination);
        Assert.True(nginx.PublishCount(name) == 0, $"nginx saw a publish of {name} for a refused publisher.\n{nginx.Describe()}");
        Assert.False(File.Exists(nginx.RecordingPath(name)), $"nginx recorded {name} for a refused publisher.\n{nginx.Describe()}");
    }

    private static void AssertOnePublishAt(NginxRtmp nginx, string name) =>
        Assert.True(nginx.PublishCount(name) == 1, $"nginx saw {nginx.PublishCount(name)} publishes of {name}, expected exactly one.\n{nginx.Describe()}");

    /// <summary>Waits (bounded) until the relay logs that <paramref name="publisher"/>'s stream is published, then a moment more for the first keyframes.</summary>
    private static async Task WaitUntilPublishingAsync(RelayProcess relay, FfmpegPublisher publisher)
    {
        var publishing = $"Publishing {RelayProcess.Application}/{Stream}";
        Assert.True(await relay.LogContainsAsync(publishing), $"The relay did not log \"{publishing}\".\n{publisher.Describe()}\n{relay.Describe()}");
        await Task.Delay(JoinAfter);
    }

    /// <summary>The player got no media at all, and the relay logged the refusal (the <paramref name="times"/>-th of <paramref name="stream"/>).</summary>
    private static async Task AssertPlayRefusedAsync(RelayProcess relay, string outputPath, string stream, int times, string playerDescription)
    {
        var tags = FlvMediaTags.Count(outputPath);
        Assert.True(tags == 0, $"The refused player received {tags} audio and video tags ({outputPath}).\n{playerDescription}\n{relay.Describe()}");
        var refusal = $"Play of {RelayProcess.Application}/{stream} refused";
        Assert.True(await relay.LogContainsAsync(refusal, times),
            $"The relay logged \"{refusal}\" {relay.LogCount(refusal)} times, expected {times}.\n{playerDescription}\n{relay.Describe()}");
    }

    /// <summary>
    /// rtmpdump ended by itself with an error status from the server ("ERROR: Closing connection: NetStream.Play.CODE"),
    /// not by a dropped connection, and not with exit code 0 or 2 (a live download that merely stopped).
    /// </summary>
    private static void AssertRtmpdumpRefusedByStatus(RtmpdumpPlayer player)
    {
        Assert.True(player.ExitCode is not (null or 0 or 2), $"rtmpdump exited with {player.ExitCode}, not as a failed play.\n{player.Describe()}");
        Assert.True(player.Output.Contains("Closing connection: NetStream.Play.", StringComparison.Ordinal),
            $"rtmpdump was not refused with a NetStream.Play error status.\n{player.Describe()}");
    }

    /// <summary>Exactly one callback request, a POST to <paramref name="path"/> answered <paramref name="status"/>, reached the site; also in its access log.</summary>
    private static CallbackRequest AssertOneCallback(NginxHttp site, string path, int status)
    {
        var requests = AuthCallbackSite.Requests(site);
        Assert.True(requests.Count == 1, $"The callback site got {requests.Count} requests, expected one.\n{AuthCallbackSite.Describe(site)}");
        var request = requests[0];
        Assert.True(request.Method == "POST" && request.Uri == path && request.Status == status,
            $"The callback request was {request.Method} {request.Uri} answered {request.Status}, expected POST {path} answered {status}.\n{AuthCallbackSite.Describe(site)}");
        Assert.Contains(site.AccessLog(), l => l.StartsWith($"POST {path} {status} ", StringComparison.Ordinal));
        return request;
    }

    /// <summary>The callback's JSON body: the action, app live, the bare stream name, the presented key (null: none), the client's address, the tcUrl, a transport.</summary>
    private static void AssertCallbackBody(CallbackRequest request, NginxHttp site, string action, string stream, string? key, RelayProcess relay)
    {
        var describe = $"Callback body: {request.Body}\n{AuthCallbackSite.Describe(site)}";
        Assert.True(request.Json is not null, $"The callback body is not a JSON object. {describe}");
        Assert.True(request.Field("action") == action, $"action is not \"{action}\". {describe}");
        Assert.True(request.Field("app") == RelayProcess.Application, $"app is not \"{RelayProcess.Application}\". {describe}");
        Assert.True(request.Field("stream") == stream, $"stream is not the bare name \"{stream}\". {describe}");
        if (key is not null)
        {
            Assert.True(request.Field("key") == key, $"key is not the key the client presented. {describe}");
        }
        else
        {
            Assert.True(string.IsNullOrEmpty(request.Field("key")), $"key is set though the client presented none. {describe}");
        }

        Assert.True(request.Field("clientIp") == "127.0.0.1", $"clientIp is not 127.0.0.1. {describe}");
        Assert.True(request.Field("tcUrl") == $"rtmp://127.0.0.1:{relay.Port}/{RelayProcess.Application}", $"tcUrl is not the one ffmpeg/rtmpdump sent. {describe}");
        Assert.False(string.IsNullOrEmpty(request.Field("transport")), $"transport is missing. {describe}");
    }

    /// <summary>None of the <paramref name="secrets"/> appears in the relay's log, nor in the destination's (the relay must not pass an ingest key on).</summary>
    private static void AssertNotLogged(RelayProcess relay, NginxRtmp? nginx, params (string What, string Secret)[] secrets)
    {
        var relayLog = relay.Log;
        var nginxLog = nginx?.ErrorLog ?? "";
        foreach (var (what, secret) in secrets)
        {
            var lines = relayLog.Split('\n').Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(lines.Count == 0, $"The relay logged {what} in {lines.Count} lines:\n{string.Join('\n', lines)}");
            var nginxLines = nginxLog.Split('\n').Where(l => l.Contains(secret, StringComparison.Ordinal)).ToList();
            Assert.True(nginxLines.Count == 0, $"{what} reached the destination ({nginx?.Name}'s log):\n{string.Join('\n', nginxLines)}");
        }
    }
}
