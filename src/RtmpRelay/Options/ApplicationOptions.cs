namespace RtmpRelay.Options;

/// <summary>One application: who may publish and play, and where its streams are relayed.</summary>
public sealed class ApplicationOptions
{
    /// <summary>Whether encoders may publish to this application. Default true.</summary>
    public bool AllowPublish { get; set; } = true;

    /// <summary>Whether local players may play this application's live streams. Default true.</summary>
    public bool AllowPlay { get; set; } = true;

    /// <summary>Destinations by name; every stream published to this application is pushed to each. Default none.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
