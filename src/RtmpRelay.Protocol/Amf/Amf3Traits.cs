namespace RtmpRelay.Protocol.Amf;

/// <summary>An AMF3 traits entry: class name, sealed member names and whether dynamic members follow.</summary>
internal sealed class Amf3Traits(string className, string[] sealedMembers, bool isDynamic)
{
    public string ClassName { get; } = className;
    public string[] SealedMembers { get; } = sealedMembers;
    public bool IsDynamic { get; } = isDynamic;
}
