namespace RtmpRelay.Streams;

/// <summary>Identity of a live stream: application and stream name (names are case sensitive, as in nginx-rtmp).</summary>
internal readonly record struct StreamKey(string Application, string Name)
{
    public override string ToString() => $"{Application}/{Name}";
}
