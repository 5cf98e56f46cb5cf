using Microsoft.Extensions.Configuration;
using RtmpRelay.Hosting;

namespace RtmpRelay.Tests.Hosting;

/// <summary>The relay's Kestrel endpoints read from configuration and matched to the addresses Kestrel bound.</summary>
public class StartupEndpointsTests
{
    private static IConfiguration Endpoints(params (string Name, string Url)[] endpoints) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            endpoints.Select(e => new KeyValuePair<string, string?>($"Kestrel:Endpoints:{e.Name}:Url", e.Url))).Build();

    [Theory]
    [InlineData("rtmp://0.0.0.0:1935", "0.0.0.0", 1935, false)]
    [InlineData("rtmps://[::]:1936", "::", 1936, true)]
    [InlineData("rtmpt://localhost:8080/", "localhost", 8080, false)]
    [InlineData("https://relay.example.com", "relay.example.com", 443, true)]
    [InlineData("http://127.0.0.1:0", "127.0.0.1", 0, false)]
    public void TryParse_EndpointUrl_GivesHostPortAndTls(string url, string host, int port, bool tls)
    {
        Assert.True(StartupEndpoints.TryParse(url, out var parsedHost, out var parsedPort, out var parsedTls, out var problem), problem);
        Assert.Equal((host, port, tls), (parsedHost, parsedPort, parsedTls));
    }

    [Theory]
    [InlineData("rtmp://127.0.0.1:abc", "'abc' is not a port")]
    [InlineData("rtmp://127.0.0.1:70000", "'70000' is not a port")]
    [InlineData("foo://127.0.0.1:1", "the scheme must be")]
    [InlineData("rtmp://127.0.0.1", "no port")]
    [InlineData("rtmp://:1935", "no host")]
    [InlineData("rtmp://127.0.0.1:1935/live", "no path")]
    public void Read_InvalidUrl_ReportsKeyValueAndProblem(string url, string problem)
    {
        var errors = new List<string>();

        var endpoints = StartupEndpoints.Read(Endpoints(("Rtmp", url)), errors);

        Assert.Empty(endpoints);
        var error = Assert.Single(errors);
        Assert.Contains($"Kestrel:Endpoints:Rtmp:Url = '{url}'", error);
        Assert.Contains(problem, error);
    }

    [Fact]
    public void Bind_PortZero_TakesThePortKestrelBound()
    {
        var endpoints = StartupEndpoints.Read(Endpoints(("Admin", "http://127.0.0.1:0"), ("Rtmp", "rtmp://127.0.0.1:1935"), ("Rtmpt", "rtmpt://0.0.0.0:0")));

        var bound = StartupEndpoints.Bind(endpoints, ["http://127.0.0.1:40001", "http://127.0.0.1:1935", "http://0.0.0.0:40002"]);

        Assert.Equal([("Admin", 40001), ("Rtmp", 1935), ("Rtmpt", 40002)], bound.Select(e => (e.Name, e.Port)));
    }

    [Fact]
    public void Bind_SamePortZeroOnTwoHosts_MatchesEachToItsHost()
    {
        var endpoints = StartupEndpoints.Read(Endpoints(("Admin", "http://127.0.0.1:0"), ("Rtmpt", "rtmpt://0.0.0.0:0")));

        var bound = StartupEndpoints.Bind(endpoints, ["http://0.0.0.0:40002", "http://127.0.0.1:40001"]);

        Assert.Equal([("Admin", 40001), ("Rtmpt", 40002)], bound.Select(e => (e.Name, e.Port)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:1985", true)]
    [InlineData("http://127.0.0.2:1985", true)]
    [InlineData("http://localhost:1985", true)]
    [InlineData("http://[::1]:1985", true)]
    [InlineData("http://0.0.0.0:1985", false)]
    [InlineData("http://[::]:1985", false)]
    [InlineData("http://192.168.1.10:1985", false)]
    [InlineData("http://relay.example.com:1985", false)]
    public void LoopbackOnly_AdminUrl_TellsWhetherOtherMachinesReachIt(string url, bool loopback) =>
        Assert.Equal(loopback, Assert.Single(StartupEndpoints.Read(Endpoints(("Admin", url)))).LoopbackOnly);
}
