namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// The ActionScript <c>undefined</c> value (AMF0 marker 0x06, AMF3 marker 0x00). A singleton so that
/// decoded values can be compared by reference and kept distinct from <c>null</c>.
/// </summary>
public sealed class AmfUndefined
{
    /// <summary>The only instance.</summary>
    public static AmfUndefined Value { get; } = new();

    private AmfUndefined() { }

    /// <inheritdoc />
    public override string ToString() => "undefined";
}
