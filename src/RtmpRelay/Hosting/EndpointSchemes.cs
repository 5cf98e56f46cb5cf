namespace RtmpRelay.Hosting;

/// <summary>
/// Lets Kestrel endpoints be written with the scheme users know (rtmp://0.0.0.0:1935, rtmps://0.0.0.0:1936):
/// Kestrel itself only parses http and https, so its configuration is handed over with those schemes mapped
/// (rtmp and rtmpt to http, rtmps and rtmpts to https: TLS is then Kestrel's own, certificates and reload included).
/// </summary>
internal static class EndpointSchemes
{
    private static readonly (string From, string To)[] Mappings =
    [
        ("rtmp://", "http://"), ("rtmpt://", "http://"), ("rtmps://", "https://"), ("rtmpts://", "https://"), ("tcp://", "http://"),
    ];

    /// <summary>A view of the "Kestrel" section with endpoint URLs mapped; other keys (and reload) pass through.</summary>
    public static IConfiguration MapForKestrel(IConfigurationSection kestrel)
    {
        var overrides = new Dictionary<string, string?>();
        foreach (var endpoint in kestrel.GetSection("Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (url is not null && TryMap(url, out var mapped))
            {
                overrides[$"Endpoints:{endpoint.Key}:Url"] = mapped;
            }
        }
        return new ConfigurationBuilder().AddConfiguration(kestrel).AddInMemoryCollection(overrides).Build();
    }

    public static bool TryMap(string url, out string mapped)
    {
        foreach (var (from, to) in Mappings)
        {
            if (url.StartsWith(from, StringComparison.OrdinalIgnoreCase))
            {
                mapped = to + url[from.Length..];
                return true;
            }
        }
        mapped = url;
        return false;
    }
}
