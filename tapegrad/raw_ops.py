"""tg.raw_ops: TensorFlow's raw ops that tapegrad has, under TF's names, keyword
arguments only (as `tf.raw_ops`).

The fused training updates, one compiled loop over a variable and its optimizer slots,
in place (float32 and float64): `ResourceApplyGradientDescent`,
`ResourceApplyKerasMomentum`, `ResourceApplyAdam` (`use_nesterov`),
`ResourceApplyAdamWithAmsgrad`, `ResourceApplyRMSProp`, `ResourceApplyCenteredRMSProp`,
`ResourceApplyAdagradV2`, with TF's formulas and order of float operations; and
tapegrad's own `ResourceApplyKerasAdam` (Keras 3's Adam, which `tg.keras.optimizers.Adam`
calls: `1 - beta` formed as Keras forms it).

    tg.raw_ops.ResourceApplyAdam(var=w, m=m, v=v, beta1_power=0.9, beta2_power=0.999,
                                 lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-7, grad=g)
"""
from ._tape import (  # noqa: F401
    ResourceApplyGradientDescent, ResourceApplyKerasMomentum, ResourceApplyAdam,
    ResourceApplyAdamWithAmsgrad, ResourceApplyKerasAdam, ResourceApplyRMSProp,
    ResourceApplyCenteredRMSProp, ResourceApplyAdagradV2,
)

__all__ = ["ResourceApplyGradientDescent", "ResourceApplyKerasMomentum", "ResourceApplyAdam",
           "ResourceApplyAdamWithAmsgrad", "ResourceApplyKerasAdam", "ResourceApplyRMSProp",
           "ResourceApplyCenteredRMSProp", "ResourceApplyAdagradV2"]
