using System.Collections.Frozen;
using System.Collections.Immutable;
using RtmpRelay.Destinations;

namespace RtmpRelay.Options;

/// <summary>
/// One validated configuration of the relay, never changed once built: the options every new connection reads, and
/// each application's enabled destinations as <see cref="DestinationSpec"/> values. A change builds a new snapshot.
/// </summary>
internal sealed class RelaySnapshot
{
    private readonly FrozenDictionary<string, ImmutableArray<DestinationSpec>> _destinations;

    private RelaySnapshot(RelayOptions options, FrozenDictionary<string, ImmutableArray<DestinationSpec>> destinations)
    {
        Options = options;
        _destinations = destinations;
    }

    public RelayOptions Options { get; }

    /// <summary>The enabled destinations of <paramref name="app"/> (none for an unknown application).</summary>
    public ImmutableArray<DestinationSpec> DestinationsOf(string app) =>
        _destinations.TryGetValue(app, out var specs) ? specs : ImmutableArray<DestinationSpec>.Empty;

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
        }
        errors = [];
        snapshot = new RelaySnapshot(options, destinations.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase));
        return true;
    }

    /// <summary>A snapshot of options known to be valid (tests, and the relay's own defaults).</summary>
    public static RelaySnapshot Create(RelayOptions options) =>
        TryCreate(options, out var snapshot, out var errors)
            ? snapshot
            : throw new Microsoft.Extensions.Options.OptionsValidationException(RelayOptions.SectionName, typeof(RelayOptions), errors);
}
