namespace Pipeline.Core.Avatars;

/// <summary>
/// Creates one avatar service per pipeline, whatever the provider: the dependency-injection seam for avatars (a provider
/// package registers its factory as a singleton). A service holds one billed session for one pipeline run, so it is
/// never shared and never a container-owned transient (the container would keep every one alive until it is disposed).
/// </summary>
public interface IAvatarServiceFactory
{
    /// <summary>
    /// Creates a service for one pipeline. The caller owns it: the <c>PipelineTask</c> that runs it disposes it with its
    /// pipeline, or the caller calls <see cref="Processors.FrameProcessor.DisposeAsync"/> when it never runs.
    /// </summary>
    /// <param name="name">Name for logs; the provider's default (type name and instance number) when null.</param>
    /// <returns>A new service, not tracked by any container.</returns>
    AvatarVideoService Create(string? name = null);
}
