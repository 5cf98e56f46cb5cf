using System.Net;

namespace RtmpRelay.Authorization;

/// <summary>Who asks to publish or play what. <see cref="Key"/> and <see cref="TcUrl"/> are secrets: they go to the callback only.</summary>
internal sealed record AccessRequest(string Action, string App, string Stream, string? Key, IPAddress? ClientIp, string? TcUrl, string Transport)
{
    public override string ToString() => $"{Action} {App}/{Stream} from {ClientIp}";
}
