namespace RtmpRelay.Options;

/// <summary>One node of the cluster.</summary>
public sealed class ClusterNodeOptions
{
    /// <summary>Base address of the node's RTMPT endpoint, e.g. http://10.0.0.2:8080/. Required.</summary>
    public string Address { get; set; } = "";
}
