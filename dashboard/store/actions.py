"""What the audit trail records: each action's code with its Chinese and English label.

Kept apart from the writer (``audit``) so that the command line can offer the actions as choices
without loading SQLAlchemy.
"""

ACTIONS = {
    "sign_in": ("登录", "signed in"),
    "sign_in_failed": ("登录失败", "failed sign-in"),
    "sign_in_throttled": ("登录被暂缓", "sign-in slowed down"),
    "sign_out": ("退出", "signed out"),
    "upload": ("上传数据", "uploaded data"),
    "upload_refused": ("上传被拒绝", "upload refused"),
    "rollback": ("撤回批次", "rolled back a batch"),
    "rollback_refused": ("撤回被拒绝", "rollback refused"),
    "user_add": ("新增用户", "added a user"),
    "user_change": ("修改用户", "changed a user"),
    "user_disable": ("停用用户", "disabled a user"),
    "password_change": ("修改密码", "changed a password"),
    "user_unlock": ("解除登录锁定", "lifted a sign-in lock-out"),
    "user_oidc_link": ("关联统一身份", "linked an OpenID Connect identity"),
    "user_oidc_unlink": ("取消关联统一身份", "unlinked an OpenID Connect identity"),
    "access_refused": ("访问被拒绝", "access refused"),
    "review_approve": ("审核通过", "approved values"),
    "review_return": ("退回数值", "returned values"),
    "review_reopen": ("重新打开已审核数值", "re-opened approved values"),
    "review_refused": ("审核操作被拒绝", "review action refused"),
    "not_obtainable": ("声明无法取得", "stated a value cannot be obtained"),
    "analysis": ("填写分析评估", "wrote an analysis"),
    "analysis_refused": ("分析评估被拒绝", "analysis refused"),
}
