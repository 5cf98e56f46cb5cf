using Microsoft.Extensions.Configuration;
using RtmpRelay.Hosting;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Hosting;

/// <summary>The start-up summary: what an operator types into an encoder, and where the streams go, keys hidden.</summary>
public class StartupSummaryTests
{
    private const string Machine = "relay-host";

    private static RelayOptions Live(Action<ApplicationOptions>? configure = null)
    {
        var options = new RelayOptions();
        var live = new ApplicationOptions();
        configure?.Invoke(live);
        options.Applications["live"] = live;
        return options;
    }

    private static string Summary(RelayOptions options, params (string Name, string Url)[] endpoints) =>
        Summary(options, adminTokenSet: false, endpoints);

    private static string Summary(RelayOptions options, bool adminTokenSet, params (string Name, string Url)[] endpoints)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            endpoints.Select(e => new KeyValuePair<string, string?>($"Kestrel:Endpoints:{e.Name}:Url", e.Url))).Build();
        return StartupSummary.Format("1.2.3", StartupEndpoints.Read(configuration), RelaySnapshot.Create(options), Machine, adminTokenSet);
    }

    [Fact]
    public void Format_RtmpOnLoopback_GivesObsServerAndStreamKey()
    {
        var text = Summary(Live(), ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.StartsWith("RtmpRelay 1.2.3 is listening:", text);
        Assert.Contains("rtmp://127.0.0.1:1935 (Rtmp); RTMPE on the rtmp port", text);
        Assert.Contains("In OBS: Server: rtmp://127.0.0.1:1935/live   Stream key: <your key>", text);
        Assert.Contains("Destinations: none (local players only)", text);
    }

    [Fact]
    public void Format_AnyAddress_ShowsMachineNameAndSaysAnyAddress()
    {
        var text = Summary(Live(), ("Rtmp", "rtmp://0.0.0.0:1935"), ("Rtmpt", "rtmpt://[::]:8080"));

        Assert.Contains("rtmp://relay-host:1935 (Rtmp, any address)", text);
        Assert.Contains("rtmpt://relay-host:8080 (Rtmpt, any address); RTMPTE on the rtmpt port", text);
        Assert.Contains("Server: rtmp://relay-host:1935/live", text);
        Assert.DoesNotContain("0.0.0.0", text);
    }

    [Fact]
    public void Format_PublishKeys_StreamKeyCarriesKeyQuery()
    {
        var text = Summary(Live(app => app.Publish.Keys["obs"] = "long-random-secret"), ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.Contains("Stream key: <name>?key=<your key>", text);
        Assert.DoesNotContain("long-random-secret", text);
    }

    [Fact]
    public void Format_SchemeOfEachEndpoint_IsWhatItServesNotHowItIsWritten()
    {
        var text = Summary(Live(),
            ("Rtmp", "tcp://127.0.0.1:1935"), ("Rtmps", "https://127.0.0.1:1936"), ("Rtmpt", "http://127.0.0.1:8080"), ("Rtmpts", "rtmpts://127.0.0.1:8443"));

        Assert.Contains("rtmp://127.0.0.1:1935 (Rtmp)", text);
        Assert.Contains("rtmps://127.0.0.1:1936 (Rtmps)", text);
        Assert.Contains("rtmpt://127.0.0.1:8080 (Rtmpt)", text);
        Assert.Contains("rtmpts://127.0.0.1:8443 (Rtmpts)", text);
        Assert.Contains("(or Server: rtmps://127.0.0.1:1936/live, rtmpt://127.0.0.1:8080/live, rtmpts://127.0.0.1:8443/live)", text);
    }

    [Fact]
    public void Format_RtmpeDisabled_SaysNothingOfRtmpe()
    {
        var options = Live();
        options.Rtmpe.Enabled = false;

        var text = Summary(options, ("Rtmp", "rtmp://127.0.0.1:1935"), ("Rtmpt", "rtmpt://127.0.0.1:8080"));

        Assert.DoesNotContain("RTMPE", text);
    }

    [Fact]
    public void Format_Destinations_HideStreamKeysAndQueries()
    {
        var options = Live(app =>
        {
            app.Destinations["youtube"] = new DestinationOptions { Platform = "youtube", Key = "abcd-efgh-ijkl-mnop" };
            app.Destinations["custom"] = new DestinationOptions { Url = "rtmp://ingest.example.com/app/SECRETKEY?token=hidden" };
        });

        var text = Summary(options, ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.Contains("youtube: rtmps://a.rtmps.youtube.com/live2/ab**** (backup rtmps://b.rtmps.youtube.com/live2?****/ab****)", text);
        Assert.Contains("custom: rtmp://ingest.example.com/app/SE****", text);
        Assert.DoesNotContain("abcd-efgh-ijkl-mnop", text);
        Assert.DoesNotContain("SECRETKEY", text);
        Assert.DoesNotContain("hidden", text);
        Assert.DoesNotContain("backup=1", text);
    }

    [Fact]
    public void Format_StreamTemplate_ShownWithPlaceholderAndAppFilledIn()
    {
        var options = Live(app => app.Destinations["other"] = new DestinationOptions { Url = "rtmp://other-relay.example/{app}/{stream}_a?key=secret" });

        var text = Summary(options, ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.Contains("other: rtmp://other-relay.example/live/{stream}_a?****", text);
        Assert.DoesNotContain("secret", text);
    }

    [Fact]
    public void Format_PublishingOff_SaysSoInsteadOfTheServer()
    {
        var text = Summary(Live(app => app.AllowPublish = false), ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.Contains("Publishing is turned off", text);
        Assert.DoesNotContain("In OBS", text);
    }

    [Fact]
    public void Format_AdminEndpoint_ShowsItsUrlAndWhetherItNeedsAToken()
    {
        var loopback = Summary(Live(), adminTokenSet: false, ("Rtmp", "rtmp://127.0.0.1:1935"), ("Admin", "http://127.0.0.1:1985"));
        var anyAddress = Summary(Live(), adminTokenSet: true, ("Rtmp", "rtmp://127.0.0.1:1935"), ("Admin", "http://0.0.0.0:1985"));

        Assert.Contains("Admin: http://127.0.0.1:1985 (no token)", loopback);
        Assert.Contains("Admin: http://relay-host:1985 (any address, token required)", anyAddress);
        Assert.DoesNotContain("rtmp://127.0.0.1:1985", loopback);
    }

    [Fact]
    public void Format_NoApplications_SaysConnectsAreRejected()
    {
        var text = Summary(new RelayOptions(), ("Rtmp", "rtmp://127.0.0.1:1935"));

        Assert.Contains("No application is configured", text);
    }
}
