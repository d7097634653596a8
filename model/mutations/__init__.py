"""The mutations a calculation can apply, by ``mutation_definition_name``.

Adding a mutation means one module implementing ``MutationDefinition`` and one
entry in ``DEFINITIONS``.
"""

from model.mutations.add_policy import AddPolicy
from model.mutations.apply_indexation import ApplyIndexation
from model.mutations.base import Context, Limits, MutationDefinition, Patches
from model.mutations.calculate_retirement_benefit import CalculateRetirementBenefit
from model.mutations.create_dossier import CreateDossier
from model.mutations.project_future_benefits import ProjectFutureBenefits

DEFINITIONS: tuple[MutationDefinition, ...] = (
    CreateDossier(),
    AddPolicy(),
    ApplyIndexation(),
    CalculateRetirementBenefit(),
    ProjectFutureBenefits(),
)

REGISTRY: dict[str, MutationDefinition] = {definition.name: definition for definition in DEFINITIONS}

__all__ = ["REGISTRY", "DEFINITIONS", "Context", "Limits", "MutationDefinition", "Patches"]
