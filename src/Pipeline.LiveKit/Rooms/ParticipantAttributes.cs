using System.Collections.Frozen;
using Google.Protobuf.Collections;
using Pipeline.LiveKit.Protocol;

namespace Pipeline.LiveKit;

/// <summary>
/// A participant's attributes as immutable snapshots: the engine's events replace the whole set on the room's event
/// task while users read it from any thread, so readers always see one consistent set.
/// </summary>
internal sealed class ParticipantAttributes
{
    private volatile FrozenDictionary<string, string> _current;

    public ParticipantAttributes(MapField<string, string> initial) => _current = initial.ToFrozenDictionary(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Current => _current;

    public static FrozenDictionary<string, string> From(IEnumerable<AttributesEntry> entries) =>
        entries.ToFrozenDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    public void Replace(FrozenDictionary<string, string> attributes) => _current = attributes;
}
