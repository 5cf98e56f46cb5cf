namespace RtmpRelay.Protocol.Amf;

/// <summary>
/// An XML document value (AMF0 marker 0x0F, AMF3 XMLDocument 0x07 and XML 0x0B). The text is kept
/// as received; it is never parsed.
/// </summary>
/// <param name="Xml">The XML text.</param>
public sealed record AmfXmlDocument(string Xml);
