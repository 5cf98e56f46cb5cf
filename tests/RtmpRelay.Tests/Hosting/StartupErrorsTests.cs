using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using RtmpRelay.Hosting;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Hosting;

/// <summary>Configuration errors at start: one line each, naming the key and the value, never a secret.</summary>
public class StartupErrorsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static IReadOnlyList<string> Check(params (string Key, string Value)[] values) =>
        StartupErrors.Check(Configuration(values), Path.GetTempPath());

    [Theory]
    [InlineData("http://0.0.0.0:1985")]
    [InlineData("http://[::]:1985")]
    [InlineData("http://10.0.0.5:1985")]
    public void Check_AdminBeyondLoopbackWithoutToken_FailsNamingKeyAndValue(string url)
    {
        var error = Assert.Single(Check(("Kestrel:Endpoints:Admin:Url", url)));

        Assert.StartsWith("Configuration error: ", error);
        Assert.Contains($"Kestrel:Endpoints:Admin:Url = '{url}'", error);
        Assert.Contains("Relay:Admin:Token", error);
    }

    [Fact]
    public void Check_AdminBeyondLoopbackWithToken_Passes() =>
        Assert.Empty(Check(("Kestrel:Endpoints:Admin:Url", "http://0.0.0.0:1985"), ("Relay:Admin:Token", "t")));

    [Fact]
    public void Check_AdminOnLoopbackWithoutToken_Passes() =>
        Assert.Empty(Check(("Kestrel:Endpoints:Admin:Url", "http://127.0.0.1:1985"), ("Kestrel:Endpoints:Rtmp:Url", "rtmp://0.0.0.0:1935")));

    [Theory]
    [InlineData("rtmpt://0.0.0.0:1935")]
    [InlineData("rtmpt://127.0.0.1:1935")]
    public void Check_TwoEndpointsOnOnePort_NamesBoth(string second)
    {
        var error = Assert.Single(Check(("Kestrel:Endpoints:Rtmp:Url", "rtmp://0.0.0.0:1935"), ("Kestrel:Endpoints:Rtmpt:Url", second)));

        Assert.Contains($"Kestrel:Endpoints:Rtmpt:Url = '{second}': port 1935 is also Kestrel:Endpoints:Rtmp:Url", error);
    }

    [Fact]
    public void Check_SamePortOnTwoAddresses_Passes() =>
        Assert.Empty(Check(("Kestrel:Endpoints:Rtmp:Url", "rtmp://127.0.0.1:1935"), ("Kestrel:Endpoints:Rtmpt:Url", "rtmpt://127.0.0.2:1935")));

    [Fact]
    public void Check_MissingCertificateFile_NamesKeyAndPath()
    {
        var errors = Check(("Kestrel:Endpoints:Rtmps:Url", "rtmps://0.0.0.0:1936"),
            ("Kestrel:Endpoints:Rtmps:Certificate:Path", "/nonexistent/cert.pem"));

        var error = Assert.Single(errors);
        Assert.Contains("Kestrel:Endpoints:Rtmps:Certificate:Path = '/nonexistent/cert.pem'", error);
    }

    [Fact]
    public void TryDescribe_DestinationUrlNotAUrl_NamesKeyAndValue()
    {
        var configuration = Configuration(("Relay:Applications:live:Destinations:x:Url", "notaurl"));
        var failure = Record.Exception(() => RelaySnapshot.Create(Options("notaurl")))!;

        Assert.True(StartupErrors.TryDescribe(failure, configuration, out var lines));

        var line = Assert.Single(lines);
        Assert.Contains("Relay:Applications:live:Destinations:x:Url", line);
        Assert.Contains("notaurl", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void TryDescribe_DestinationUrlWithKey_ShowsItRedacted()
    {
        const string url = "http://ingest.example.com/app/SECRETKEY?token=hidden";
        var configuration = Configuration(("Relay:Applications:live:Destinations:x:Url", url));
        var failure = Record.Exception(() => RelaySnapshot.Create(Options(url)))!;

        Assert.True(StartupErrors.TryDescribe(failure, configuration, out var lines));

        var line = Assert.Single(lines);
        Assert.Contains("http://ingest.example.com/app/****?****", line);
        Assert.DoesNotContain("SECRETKEY", line);
        Assert.DoesNotContain("hidden", line);
    }

    [Fact]
    public void TryDescribe_PublishKeyFailure_NeverShowsTheKey()
    {
        var configuration = Configuration(("Relay:Applications:live:Publish:Keys:obs", "bad\tkey"));
        var failure = new OptionsValidationException("Relay", typeof(RelayOptions), ["Relay:Applications:live:Publish:Keys:obs is empty or has control characters."]);

        Assert.True(StartupErrors.TryDescribe(failure, configuration, out var lines));

        Assert.DoesNotContain("bad", Assert.Single(lines));
    }

    [Fact]
    public void TryDescribe_AddressInUse_NamesEndpointAndPort()
    {
        var configuration = Configuration(("Kestrel:Endpoints:Rtmp:Url", "rtmp://0.0.0.0:1935"), ("Kestrel:Endpoints:Admin:Url", "http://127.0.0.1:1985"));
        var failure = new IOException("Failed to bind to address http://0.0.0.0:1935: address already in use.", new AddressInUseException("Address already in use"));

        Assert.True(StartupErrors.TryDescribe(failure, configuration, out var lines));

        var line = Assert.Single(lines);
        Assert.Contains("Kestrel:Endpoints:Rtmp:Url = 'rtmp://0.0.0.0:1935'", line);
        Assert.Contains("port 1935 is already in use", line);
    }

    [Fact]
    public void TryDescribe_SeveralFailuresAtOnce_OneLineEach()
    {
        var failure = new AggregateException(
            new OptionsValidationException("Relay", typeof(RelayOptions), ["Relay:ChunkSize must be between 128 and 16777215 (is 5).", "Relay:Limits:MaxChunkStreams must be at least 4."]));
        var configuration = Configuration(("Relay:ChunkSize", "5"), ("Relay:Limits:MaxChunkStreams", "2"));

        Assert.True(StartupErrors.TryDescribe(failure, configuration, out var lines));

        Assert.Equal(["Configuration error: Relay:ChunkSize must be between 128 and 16777215 (is 5).",
            "Configuration error: Relay:Limits:MaxChunkStreams must be at least 4 (is '2')."], lines);
    }

    [Fact]
    public void TryDescribe_MissingSecretsDirectory_NamesKeyAndValue()
    {
        var configuration = Configuration(("Relay:SecretsDirectory", "/nonexistent/secrets"));

        Assert.True(StartupErrors.TryDescribe(new DirectoryNotFoundException("/nonexistent/secrets/"), configuration, out var lines));

        Assert.StartsWith("Configuration error: Relay:SecretsDirectory = '/nonexistent/secrets'", Assert.Single(lines));
    }

    [Fact]
    public void TryDescribe_NotASetting_IsLeftAlone()
    {
        Assert.False(StartupErrors.TryDescribe(new NullReferenceException(), Configuration(), out _));
        Assert.False(StartupErrors.TryDescribe(new AggregateException(new IOException("Failed to bind to address http://x:1: nope"), new NullReferenceException()), Configuration(), out _));
    }

    [Theory]
    [InlineData("notaurl", "notaurl")]
    [InlineData("abcd-efgh-ijkl-mnop-qrst", "ab**** (24 characters)")]
    [InlineData("rtmp://host/app/KEY", "rtmp://host/app/****")]
    [InlineData("rtmp://host/app/{stream}_a?key=x", "rtmp://host/app/{stream}_a?****")]
    [InlineData("rtmp://host", "rtmp://host")]
    public void Redact_Value_HidesWhatMayBeAKey(string value, string shown) => Assert.Equal(shown, StartupErrors.Redact(value));

    private static RelayOptions Options(string url)
    {
        var options = new RelayOptions();
        options.Applications["live"] = new ApplicationOptions();
        options.Applications["live"].Destinations["x"] = new DestinationOptions { Url = url };
        return options;
    }
}
