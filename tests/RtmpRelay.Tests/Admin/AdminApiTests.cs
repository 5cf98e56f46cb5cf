using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RtmpRelay.Destinations;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;
using RtmpRelay.Tests.Destinations;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Admin;

/// <summary>
/// The admin API and metrics on the test server: the real host (AddRtmpRelay, MapRtmpRelay), a stream published into
/// its registry, its destinations dialling through an in-memory dialer that refuses, as a dead platform does.
/// </summary>
public sealed class AdminApiTests
{
    private sealed class Publisher : IStreamPublisher
    {
        public string Id => "encoder-1";
        public PublisherInfo Info => new("192.0.2.10", "rtmps", "FMLE/3.0 (compatible; OBS)");
        public string? DisconnectedBecause { get; private set; }
        public void Disconnect(string reason) => DisconnectedBecause = reason;
    }

    private static WebApplicationFactory<StreamRegistry> Relay(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<StreamRegistry>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Relay:Applications:live:Destinations:dead:Url", "rtmp://dead.example/live/{stream}?token=hidden");
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
            host.ConfigureServices(services => services.AddSingleton<IDestinationDialer>(new InMemoryDialer()));
        });

    private static (LiveStream Stream, Publisher Publisher) Publish(WebApplicationFactory<StreamRegistry> relay, string name)
    {
        var registry = relay.Services.GetRequiredService<StreamRegistry>();
        var publisher = new Publisher();
        Assert.Equal(PublishOutcome.Started, registry.TryPublish(new StreamKey("live", name), publisher, 4096, takeOver: false, maxStreams: int.MaxValue, out var stream));
        var metadata = TestRtmpClient.Amf("onMetaData", FlvSamples.MetaData());
        foreach (var (type, payload) in new[] { (RtmpMessageType.DataAmf0, metadata), (RtmpMessageType.Video, FlvSamples.AvcSequenceHeader), (RtmpMessageType.Audio, FlvSamples.AacSequenceHeader), (RtmpMessageType.Video, FlvSamples.KeyFrame(1, 4000)) })
        {
            var message = RtmpMessage.Copy(type, 0, 1, payload);
            stream.Publish(message, publisher);
            message.Release();
        }
        return (stream, publisher);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Streams_LiveStreamWithDeadDestination_EveryFieldAndTheKeyHidden()
    {
        await using var relay = Relay();
        var client = relay.CreateClient();
        Publish(relay, "ops");
        await Eventually.TrueAsync(() => GetJsonAsync(client, "/api/v1/streams").Result.GetProperty("streams")[0].GetProperty("destinations")[0].GetProperty("state").GetString() == "retrying", "dead retrying");

        var root = await GetJsonAsync(client, "/api/v1/streams");

        var stream = root.GetProperty("streams")[0];
        Assert.Equal("live", stream.GetProperty("app").GetString());
        Assert.Equal("ops", stream.GetProperty("name").GetString());
        Assert.Equal(0, stream.GetProperty("players").GetInt32());
        var publisher = stream.GetProperty("publisher");
        Assert.Equal("192.0.2.10", publisher.GetProperty("clientIp").GetString());
        Assert.Equal("rtmps", publisher.GetProperty("transport").GetString());
        Assert.Equal("FMLE/3.0 (compatible; OBS)", publisher.GetProperty("encoder").GetString());
        Assert.Equal("H.264", publisher.GetProperty("videoCodec").GetString());
        Assert.Equal("AAC", publisher.GetProperty("audioCodec").GetString());
        foreach (var field in new[] { "since", "width", "height", "fps", "bitrateKbps" })
        {
            Assert.True(publisher.TryGetProperty(field, out _), field);
        }
        var dead = stream.GetProperty("destinations")[0];
        Assert.Equal("dead", dead.GetProperty("name").GetString());
        Assert.Equal("retrying", dead.GetProperty("state").GetString());
        Assert.Contains("refused", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", dead.GetProperty("url").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "bytesSent", "bitrateKbps", "lagMs", "droppedFrames", "reconnects", "since" })
        {
            Assert.True(dead.TryGetProperty(field, out _), field);
        }
        Assert.Equal("ops", (await GetJsonAsync(client, "/api/v1/streams/live/ops")).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/streams/live/nope")).StatusCode);
    }

    [Fact]
    public async Task Streams_FirstReadingAfterASecond_HasThePublishersBitrate()
    {
        var time = new FakeTimeProvider();
        await using var relay = new WebApplicationFactory<StreamRegistry>().WithWebHostBuilder(host =>
            host.ConfigureServices(services => services.AddSingleton<TimeProvider>(time)));
        var client = relay.CreateClient();
        var (stream, publisher) = Publish(relay, "rate");
        time.Advance(TimeSpan.FromSeconds(1)); // the sampler's first look at this stream: its baseline
        var video = RtmpMessage.Copy(RtmpMessageType.Video, 40, 1, new byte[12_500]);
        stream.Publish(video, publisher);
        video.Release();

        time.Advance(TimeSpan.FromSeconds(1));
        var rate = (await GetJsonAsync(client, "/api/v1/streams/live/rate")).GetProperty("publisher").GetProperty("bitrateKbps");

        Assert.Equal(100.0, rate.GetDouble()); // 12,500 bytes in one second: 100 kbit/s, on the API's first reading
    }

    [Fact]
    public async Task PauseResumeKick_ChangeTheDestinationAndThePublisher()
    {
        await using var relay = Relay();
        var client = relay.CreateClient();
        var (_, publisher) = Publish(relay, "ops");
        string State() => GetJsonAsync(client, "/api/v1/streams/live/ops").Result.GetProperty("destinations")[0].GetProperty("state").GetString()!;

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/streams/live/ops/destinations/dead/pause", null)).StatusCode);
        await Eventually.TrueAsync(() => State() == "paused", "paused");
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/streams/live/ops/destinations/dead/resume", null)).StatusCode);
        await Eventually.TrueAsync(() => State() is "connecting" or "retrying", "resumed");
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/streams/live/ops/destinations/nope/pause", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/streams/live/ops/kick", null)).StatusCode);

        Assert.NotNull(publisher.DisconnectedBecause);
        Assert.Empty((await GetJsonAsync(client, "/api/v1/streams")).GetProperty("streams").EnumerateArray());
    }

    [Fact]
    public async Task Metrics_PrometheusTextWithRelayAndProcessMetrics()
    {
        await using var relay = Relay();
        var client = relay.CreateClient();
        Publish(relay, "metrics");
        await Eventually.TrueAsync(() => client.GetStringAsync("/api/v1/streams/live/metrics").Result.Contains("retrying"), "dead retrying");

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("rtmprelay_received_bytes_total{app=\"live\",stream=\"metrics\"}", text, StringComparison.Ordinal);
        Assert.Contains("rtmprelay_destination_state{app=\"live\",stream=\"metrics\",destination=\"dead\",state=\"retrying\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("rtmprelay_destination_sent_bytes_total{app=\"live\",stream=\"metrics\",destination=\"dead\"}", text, StringComparison.Ordinal);
        Assert.Contains("rtmprelay_publishers{app=\"live\"}", text, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Set_ApiNeedsItHealthDoesNot()
    {
        await using var relay = Relay(("Relay:Admin:Token", "t0ken-abc"));
        var client = relay.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/streams")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/streams")).StatusCode);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "t0ken-abc");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/streams")).StatusCode);
    }
}
