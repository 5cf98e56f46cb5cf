using RtmpRelay.Options;

namespace RtmpRelay.Tests.Options;

/// <summary>Start-up validation: a misconfigured relay refuses to start and says which key is wrong.</summary>
public class RelayOptionsValidatorTests
{
    private static RelayOptions Valid()
    {
        var options = new RelayOptions();
        options.Applications["live"] = new ApplicationOptions();
        options.Applications["live"].Destinations["yt"] = new DestinationOptions { Url = "rtmps://a.rtmps.youtube.com/live2/{stream}" };
        return options;
    }

    private static string? Failure(RelayOptions options)
    {
        var result = new RelayOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Null(Failure(Valid()));

    [Theory]
    [InlineData("a.b")]
    [InlineData("")]
    [InlineData("node/1")]
    public void Validate_NodeIdThatCannotPrefixASessionId_Fails(string nodeId)
    {
        var options = Valid();
        options.Cluster.NodeId = nodeId;
        Assert.Contains("Relay:Cluster:NodeId", Failure(options));
    }

    [Theory]
    [InlineData("http://host/live/x", "scheme 'http' is not supported")]
    [InlineData("rtmp://host/live", "needs an application and a stream name")]
    [InlineData("rtmp://host:99999/live/x", "invalid host or port")]
    public void Validate_BadDestinationUrl_FailsNamingTheKey(string url, string reason)
    {
        var options = Valid();
        options.Applications["live"].Destinations["bad"] = new DestinationOptions { Url = url };
        var failure = Failure(options);
        Assert.Contains("Relay:Applications:live:Destinations:bad:Url", failure);
        Assert.Contains(reason, failure);
    }

    [Fact]
    public void Validate_FingerprintNotSha256_Fails()
    {
        var options = Valid();
        options.Applications["live"].Destinations["yt"].CertificateFingerprint = "AB:CD";
        Assert.Contains("CertificateFingerprint", Failure(options));
    }

    [Fact]
    public void Validate_ZeroRtmptCaps_Fail()
    {
        var options = Valid();
        options.Rtmpt.MaxSessionsPerClient = 0;
        Assert.Contains("MaxSessionsPerClient", Failure(options));
    }

    [Fact]
    public void Validate_PendingBytesBelowMessageLength_Fails()
    {
        var options = Valid();
        options.Limits.MaxPendingBytes = options.Limits.MaxMessageLength - 1;
        Assert.Contains("MaxPendingBytes", Failure(options));
    }
}
