using RtmpRelay.Options;

namespace RtmpRelay.Tests.Cluster;

/// <summary>Where a request for another node's RTMPT session goes: the static node list, else the address template.</summary>
public class ClusterOptionsTests
{
    private const string Template = "http://{node}.rtmp-relay-headless:8080";

    private static ClusterOptions Cluster(string? template = Template, string nodeId = "rtmp-relay-0")
    {
        var cluster = new ClusterOptions { NodeId = nodeId, NodeAddressTemplate = template };
        cluster.Nodes["listed"] = new ClusterNodeOptions { Address = "http://10.0.0.2:8080/" };
        return cluster;
    }

    [Fact]
    public void TryGetNodeAddress_UnlistedNodeWithTemplate_AddressFromTemplate()
    {
        Assert.True(Cluster().TryGetNodeAddress("rtmp-relay-2", out var address));
        Assert.Equal("http://rtmp-relay-2.rtmp-relay-headless:8080", address);
    }

    [Fact]
    public void TryGetNodeAddress_ListedNode_StaticAddressWinsOverTemplate()
    {
        Assert.True(Cluster().TryGetNodeAddress("listed", out var address));
        Assert.Equal("http://10.0.0.2:8080/", address);
    }

    [Fact]
    public void TryGetNodeAddress_ThisNode_False()
    {
        Assert.False(Cluster().TryGetNodeAddress("rtmp-relay-0", out _));
    }

    [Fact]
    public void TryGetNodeAddress_UnlistedNodeWithoutTemplate_False()
    {
        Assert.False(Cluster(template: null).TryGetNodeAddress("rtmp-relay-2", out _));
    }

    [Fact]
    public void TryGetNodeAddress_LoopbackTemplate_AddressPerNode()
    {
        // The interop test's layout: one loopback address per node, the same port on each.
        Assert.True(Cluster("http://127.0.0.{node}:8080/", "11").TryGetNodeAddress("13", out var address));
        Assert.Equal("http://127.0.0.13:8080/", address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("a_b")]
    [InlineData("evil@attacker")]
    [InlineData("attacker:80")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a%2fb")]
    [InlineData("é")]
    [InlineData("node\r\nHost: x")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")] // 33 characters, longer than any node id
    public void TryGetNodeAddress_IdNotADnsLabel_RefusedNeverPutIntoAUrl(string node)
    {
        Assert.False(Cluster().TryGetNodeAddress(node, out var address));
        Assert.Equal("", address);
    }

    [Theory]
    [InlineData("rtmp-relay-0")]
    [InlineData("11")]
    [InlineData("a")]
    [InlineData("Node-A")]
    public void IsDnsLabel_PlainLabel_True(string node) => Assert.True(ClusterOptions.IsDnsLabel(node));

    [Theory]
    [InlineData("http://{node}.rtmp-relay-headless:8080")]
    [InlineData("https://{node}.rtmp-relay-headless.media.svc.cluster.local:8443/")]
    [InlineData("http://127.0.0.{node}:8080/")]
    [InlineData("http://relay-{node}:8080")]
    public void Validate_GoodTemplate_NoErrors(string template)
    {
        var errors = new List<string>();
        Cluster(template).Validate(errors);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("http://rtmp-relay-headless:8080", "must contain {node}")]
    [InlineData("{node}.rtmp-relay-headless:8080", "absolute http or https URL")]
    [InlineData("ftp://{node}.rtmp-relay-headless/", "absolute http or https URL")]
    [InlineData("rtmpt://{node}.rtmp-relay-headless:8080", "absolute http or https URL")]
    [InlineData("http://relay:8080/{node}", "in its host name")]
    [InlineData("http://relay:8080/?n={node}", "in its host name")]
    [InlineData("http://relay:{node}", "in its host name")]
    [InlineData("http://{node}@relay:8080", "in its host name")]
    [InlineData("http://{node}.relay/x/{node}", "in its host name")]
    public void Validate_BadTemplate_ErrorNamesKeyAndValue(string template, string why)
    {
        var errors = new List<string>();
        Cluster(template).Validate(errors);
        var error = Assert.Single(errors);
        Assert.StartsWith("Relay:Cluster:NodeAddressTemplate ", error);
        Assert.Contains(why, error);
        Assert.Contains($"(is '{template}')", error);
    }

    [Fact]
    public void Validate_TemplateWithNodeIdNotADnsLabel_ErrorNamesNodeId()
    {
        var errors = new List<string>();
        Cluster(nodeId: "-relay").Validate(errors);
        Assert.Contains("Relay:Cluster:NodeId must be a DNS label", Assert.Single(errors));
    }

    [Fact]
    public void Validate_NoTemplate_NoErrors()
    {
        var errors = new List<string>();
        Cluster(template: null, nodeId: "-relay").Validate(errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void RelayOptionsValidator_BadTemplate_Fails()
    {
        var options = new RelayOptions();
        options.Cluster.NodeAddressTemplate = "http://relay:8080/";

        var result = new RelayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Relay:Cluster:NodeAddressTemplate must contain {node}", result.FailureMessage);
    }
}
