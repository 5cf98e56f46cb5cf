using System.Collections.Frozen;
using System.Collections.Immutable;
using RtmpRelay.Authorization;
using RtmpRelay.Destinations;

namespace RtmpRelay.Options;

/// <summary>
/// One validated configuration of the relay, never changed once built: the options every new connection reads, and
/// each application's enabled destinations as <see cref="DestinationSpec"/> values. A change builds a new snapshot.
/// </summary>
internal sealed class RelaySnapshot
{
    private readonly FrozenDictionary<string, ImmutableArray<DestinationSpec>> _destinations;
    private readonly FrozenDictionary<string, (AccessPolicy Publish, AccessPolicy Play)> _policies;

    private RelaySnapshot(RelayOptions options, FrozenDictionary<string, ImmutableArray<DestinationSpec>> destinations,
        FrozenDictionary<string, (AccessPolicy Publish, AccessPolicy Play)> policies)
    {
        Options = options;
        _destinations = destinations;
        _policies = policies;
    }

    public RelayOptions Options { get; }

    /// <summary>The enabled destinations of <paramref name="app"/> (none for an unknown application).</summary>
    public ImmutableArray<DestinationSpec> DestinationsOf(string app) =>
        _destinations.TryGetValue(app, out var specs) ? specs : ImmutableArray<DestinationSpec>.Empty;

    /// <summary>Who may publish to <paramref name="app"/>.</summary>
    public AccessPolicy PublishPolicyOf(string app) => _policies.TryGetValue(app, out var policies) ? policies.Publish : AccessPolicy.Open;

    /// <summary>Who may play from <paramref name="app"/>.</summary>
    public AccessPolicy PlayPolicyOf(string app) => _policies.TryGetValue(app, out var policies) ? policies.Play : AccessPolicy.Open;

    /// <summary>Validates <paramref name="options"/> and builds the snapshot; false with every problem found otherwise.</summary>
    public static bool TryCreate(RelayOptions options, out RelaySnapshot snapshot, out IReadOnlyList<string> errors)
    {
        snapshot = null!;
        var result = new RelayOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            errors = result.Failures.ToList();
            return false;
        }
        var destinations = new Dictionary<string, ImmutableArray<DestinationSpec>>(StringComparer.OrdinalIgnoreCase);
        var ignored = new List<string>();
        var policies = new Dictionary<string, (AccessPolicy, AccessPolicy)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (app, application) in options.Applications)
        {
            var specs = ImmutableArray.CreateBuilder<DestinationSpec>();
            foreach (var (name, destination) in application.Destinations)
            {
                if (destination.Enabled && DestinationSpec.TryCreate(app, name, destination, ignored, out var spec))
                {
                    specs.Add(spec);
                }
            }
            destinations[app] = specs.ToImmutable();
            policies[app] = (AccessPolicy.From(application.Publish), AccessPolicy.From(application.Play));
        }
        errors = [];
        snapshot = new RelaySnapshot(options, destinations.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            policies.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        return true;
    }

    /// <summary>A snapshot of options known to be valid (tests, and the relay's own defaults).</summary>
    public static RelaySnapshot Create(RelayOptions options) =>
        TryCreate(options, out var snapshot, out var errors)
            ? snapshot
            : throw new Microsoft.Extensions.Options.OptionsValidationException(RelayOptions.SectionName, typeof(RelayOptions), errors);
}
