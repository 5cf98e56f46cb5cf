using System.Net;

namespace RtmpRelay.Server;

/// <summary>Where a connection comes from and through which door: rtmp, rtmps, rtmpt, rtmpts, rtmpe or rtmpte.</summary>
internal sealed record ClientInfo(IPAddress? Address, string Transport)
{
    public static ClientInfo Unknown { get; } = new(null, "rtmp");
}
