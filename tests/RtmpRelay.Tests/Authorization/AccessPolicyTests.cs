using System.Net;
using RtmpRelay.Authorization;
using RtmpRelay.Options;

namespace RtmpRelay.Tests.Authorization;

public class AccessPolicyTests
{
    private static AccessPolicy Policy(Action<AccessOptions> configure)
    {
        var options = new AccessOptions();
        configure(options);
        return AccessPolicy.From(options);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.255.255.255", true)]
    [InlineData("11.0.0.1", false)]
    [InlineData("::ffff:10.0.0.7", true)] // IPv4 mapped into IPv6, as a dual-stack socket reports it
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db9::1", false)]
    public void AllowsAddress_CidrRanges_IPv4AndIPv6(string address, bool allowed)
    {
        var policy = Policy(o => o.AllowFrom = ["10.0.0.0/8", "2001:db8::/32"]);

        Assert.Equal(allowed, policy.AllowsAddress(IPAddress.Parse(address)));
    }

    [Fact]
    public void AllowsAddress_RangesAndUnknownAddress_Refused() =>
        Assert.False(Policy(o => o.AllowFrom = ["127.0.0.0/8"]).AllowsAddress(null));

    [Fact]
    public void MatchKey_RightWrongMissing_LabelOrNull()
    {
        var policy = Policy(o =>
        {
            o.Keys["obs"] = "s3cret-one";
            o.Keys["backup"] = "s3cret-two";
        });

        Assert.Equal("obs", policy.MatchKey("s3cret-one"));
        Assert.Equal("backup", policy.MatchKey("s3cret-two"));
        Assert.Null(policy.MatchKey("s3cret-on"));
        Assert.Null(policy.MatchKey("s3cret-one "));
        Assert.Null(policy.MatchKey(""));
        Assert.Null(policy.MatchKey(null));
    }

    [Fact]
    public void IsOpen_NoRule_TrueAnyRule_False()
    {
        Assert.True(Policy(_ => { }).IsOpen);
        Assert.False(Policy(o => o.Keys["k"] = "v").IsOpen);
        Assert.False(Policy(o => o.AllowFrom = ["::1/128"]).IsOpen);
        Assert.False(Policy(o => o.Callback.Url = "http://127.0.0.1/cb").IsOpen);
    }
}
