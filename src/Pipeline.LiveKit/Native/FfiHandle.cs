using System.Runtime.InteropServices;

namespace Pipeline.LiveKit.Native;

/// <summary>
/// The one managed owner of a native handle (room, participant, publication, track, source, stream, frame buffer).
/// Releasing it calls <c>livekit_ffi_drop_handle</c> exactly once, from <see cref="SafeHandle.Dispose()"/> or, if the
/// owner forgot, from the finalizer.
/// </summary>
internal sealed class FfiHandle : SafeHandle
{
    private static long s_outstanding;

    /// <summary>Takes ownership of <paramref name="id"/> (0 is the invalid handle and is not counted).</summary>
    internal FfiHandle(ulong id)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(new IntPtr(unchecked((long)id)));
        if (id != 0)
        {
            Interlocked.Increment(ref s_outstanding);
        }
    }

    /// <summary>How many handles the process holds and has not released yet.</summary>
    internal static long Outstanding => Interlocked.Read(ref s_outstanding);

    /// <summary>The engine's id for this handle.</summary>
    internal ulong Id => unchecked((ulong)(long)handle);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Wraps the handle of an owned message, or returns an invalid handle when it is absent.</summary>
    internal static FfiHandle Own(Protocol.FfiOwnedHandle? owned) => new(owned?.Id ?? 0);

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        Interlocked.Decrement(ref s_outstanding);
        FfiClient.DropHandle(Id);
        return true;
    }
}
