namespace RtmpRelay.Options;

/// <summary>
/// The "Relay:Cluster" section: relay nodes behind one address with no session affinity. RTMPT session ids carry the
/// id of the node that owns them; a request for another node's session is forwarded to that node.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>This node's id: letters, digits and '-'. Default "relay".</summary>
    public string NodeId { get; set; } = "relay";

    /// <summary>The other nodes by id, with the base address their RTMPT endpoint is reached on. Default none.</summary>
    public Dictionary<string, ClusterNodeOptions> Nodes { get; set; } = new(StringComparer.Ordinal);
}
