namespace RtmpRelay.Options;

/// <summary>
/// The "Relay:Cluster" section: relay nodes behind one address with no session affinity. RTMPT session ids carry the
/// id of the node that owns them; a request for another node's session is forwarded to that node, at its address in
/// <see cref="Nodes"/> or, for a node not listed there, at the address <see cref="NodeAddressTemplate"/> makes of its id.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>What <see cref="NodeAddressTemplate"/> replaces by a node's id.</summary>
    public const string NodePlaceholder = "{node}";

    /// <summary>Longest node id (a node id is also a DNS label when the template is used, which allows 63).</summary>
    public const int MaxNodeIdLength = 32;

    /// <summary>This node's id: letters, digits and '-'. Default "relay". In Kubernetes: the pod's name.</summary>
    public string NodeId { get; set; } = "relay";

    /// <summary>The other nodes by id, with the base address their RTMPT endpoint is reached on. Default none.</summary>
    public Dictionary<string, ClusterNodeOptions> Nodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The base address of any node's RTMPT endpoint, with <c>{node}</c> where its id goes, for nodes not in
    /// <see cref="Nodes"/>: e.g. <c>http://{node}.rtmp-relay-headless:8080</c> (a StatefulSet's pods behind a headless
    /// Service). Only ids that are plain DNS labels are put into it. Default none: only listed nodes are forwarded to.
    /// </summary>
    public string? NodeAddressTemplate { get; set; }

    /// <summary>
    /// Where a request for node <paramref name="node"/>'s session goes: its address in <see cref="Nodes"/>, else the one
    /// <see cref="NodeAddressTemplate"/> gives when <paramref name="node"/> is a plain DNS label; false for this node, for
    /// an id that is not a label, and when neither names it.
    /// </summary>
    public bool TryGetNodeAddress(string node, out string address)
    {
        address = "";
        if (node == NodeId)
        {
            return false;
        }
        if (Nodes.TryGetValue(node, out var listed))
        {
            address = listed.Address;
            return address.Length > 0;
        }
        if (string.IsNullOrEmpty(NodeAddressTemplate) || !IsDnsLabel(node))
        {
            return false;
        }
        address = ExpandTemplate(NodeAddressTemplate, node);
        return true;
    }

    /// <summary>
    /// A node id that may go into a host name: 1 to <see cref="MaxNodeIdLength"/> ASCII letters, digits and '-', neither
    /// first nor last a '-' (RFC 1123 labels; pod names of a StatefulSet are). Session ids come from clients, so anything
    /// else is refused, never put into a URL.
    /// </summary>
    public static bool IsDnsLabel(string node) =>
        node.Length is > 0 and <= MaxNodeIdLength && node[0] != '-' && node[^1] != '-' && node.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>The template with every <c>{node}</c> replaced by <paramref name="node"/>.</summary>
    public static string ExpandTemplate(string template, string node) => template.Replace(NodePlaceholder, node, StringComparison.Ordinal);

    /// <summary>
    /// Problems with <see cref="NodeAddressTemplate"/> (and, when it is set, with <see cref="NodeId"/> as a DNS label),
    /// each naming the key and its value.
    /// </summary>
    public void Validate(ICollection<string> errors)
    {
        if (NodeAddressTemplate is null)
        {
            return;
        }
        const string key = "Relay:Cluster:NodeAddressTemplate";
        var template = NodeAddressTemplate;
        var at = template.IndexOf(NodePlaceholder, StringComparison.Ordinal);
        if (at < 0)
        {
            errors.Add($"{key} must contain {NodePlaceholder} where a node's id goes, e.g. http://{NodePlaceholder}.rtmp-relay-headless:8080 (is '{template}').");
            return;
        }
        // Expanded with a label-shaped id, the template must be an absolute http(s) URL; every {node} must be in its host
        // name, so a node id never reaches the port, the path, the query or the user info.
        const string probe = "node-0";
        var authorityStart = template.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0 ? scheme + 3 : 0;
        var authorityEnd = template.IndexOfAny(['/', '?', '#'], authorityStart) is var end and >= 0 ? end : template.Length;
        var last = template.LastIndexOf(NodePlaceholder, StringComparison.Ordinal);
        if (!Uri.TryCreate(ExpandTemplate(template, probe), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ||
            !string.IsNullOrEmpty(uri.UserInfo) || !uri.Host.Contains(probe, StringComparison.OrdinalIgnoreCase) ||
            at < authorityStart || last + NodePlaceholder.Length > authorityEnd ||
            template.AsSpan(authorityStart, authorityEnd - authorityStart).Contains('@'))
        {
            errors.Add($"{key} must be an absolute http or https URL with {NodePlaceholder} in its host name, " +
                $"e.g. http://{NodePlaceholder}.rtmp-relay-headless:8080 (is '{template}').");
            return;
        }
        if (!IsDnsLabel(NodeId))
        {
            errors.Add($"Relay:Cluster:NodeId must be a DNS label when {key} is set: letters, digits and '-', not first or last (is '{NodeId}').");
        }
    }
}
